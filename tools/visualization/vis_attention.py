"""Where each of the top-k predicted labels looks in an image.

    python tools/visualization/vis_attention.py CONFIG CHECKPOINT IMAGE \\
        --out-file F.png [--topk 4]

One panel per label, titled with its name and score: for MLIC and the
Query2Label-style head the label query's cross-attention over the image
tokens (last decoder layer, mean over heads); for the baseline, CSRA and
ML-GCN a class activation map (see ``mlic.visualization.label_maps`` for
why these and not Grad-CAM). The map, on the last backbone stage's grid,
is upsampled onto the image as the test pipeline resized it, and each
panel is scaled to its own maximum (the legend under the panels gives it).
"""
import argparse

import cv2
import numpy as np
import torch
from mmengine.config import Config, DictAction

from mlic import register_all_modules
from mlic.apis import init_model, preprocess_images
from mlic.utils.cli import output_file_problems, positive_int, refuse, run_tool
from mlic.visualization import draw_text_lines, overlay_heatmap, save_png
from mlic.visualization.label_maps import label_maps, unit_map

# px per panel side; draw_text_lines enlarges anything narrower to 256.
PANEL = 256


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('image')
    parser.add_argument('--out-file', required=True)
    parser.add_argument('--topk', type=positive_int, default=4)
    parser.add_argument(
        '--force', action='store_true', help='replace --out-file if it exists')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={})
    return parser.parse_args()


def main():
    args = parse_args()
    refuse(
        output_file_problems(
            args.out_file,
            '--out-file',
            force=args.force,
            inputs=[args.config, args.checkpoint, args.image],
            image=True))
    register_all_modules()
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    model = init_model(cfg, args.checkpoint, device=args.device)
    names = list(model.dataset_meta['classes'])
    data = preprocess_images(model, [args.image])
    out = label_maps(model, data['inputs'])
    scores = out['scores'][0].float().cpu().numpy()
    maps = out['maps'][0].float().cpu().numpy()  # (C, h, w)
    top = np.argsort(-scores, kind='stable')[:args.topk]

    img = cv2.imread(args.image)  # preprocess_images has read it already
    img = cv2.resize(img, (PANEL, PANEL), interpolation=cv2.INTER_NEAREST)
    panels = [draw_text_lines(img, ['input'])]
    for c in top:
        heat = unit_map(maps[c], out['kind'])
        panels.append(
            draw_text_lines(
                overlay_heatmap(img, heat), [f'{names[c]}: {scores[c]:.2f}']))
    canvas = np.concatenate(panels, axis=1)
    legend = np.full((28, canvas.shape[1], 3), 255, np.uint8)
    cv2.putText(
        legend, f'{type(model.head).__name__}: {out["kind"]} on a '
        f'{maps.shape[1]} x {maps.shape[2]} grid, each panel scaled to '
        'its maximum', (6, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1,
        cv2.LINE_AA)
    save_png(args.out_file, np.concatenate([canvas, legend], axis=0))
    print(', '.join(f'{names[c]}: {scores[c]:.3f}' for c in top))
    print(f'wrote {args.out_file} ({out["kind"]})')


if __name__ == '__main__':
    with torch.no_grad():
        run_tool(main)
