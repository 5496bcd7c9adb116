"""Predict the labels of one image.

    python demo/image_demo.py IMAGE CONFIG_OR_NAME [--checkpoint CKPT]
        [--threshold 0.5 | --threshold thresholds.json] [--device cpu]
        [--out-file out.png]

CONFIG_OR_NAME is a config file or a model-zoo name (``mlic.apis.
list_models()``); CKPT a local path or URL (downloaded once, verified).
With a zoo name and no --checkpoint, the published weights are used.
Prints the labels above the threshold with their scores; --out-file writes
the image with them drawn on it.
"""
import argparse
import os.path as osp

import cv2

from mlic.apis import get_model, inference_model, init_model
from mlic.visualization import draw_text_lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('image')
    parser.add_argument('model', help='config file or model-zoo name')
    parser.add_argument('--checkpoint')
    parser.add_argument(
        '--threshold',
        default='0.5',
        help='a score, or a per-label thresholds JSON file')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out-file')
    args = parser.parse_args()

    if args.checkpoint is None and not osp.isfile(args.model):
        model = get_model(args.model, device=args.device)
    else:
        model = init_model(args.model, args.checkpoint, device=args.device)
    threshold = args.threshold if args.threshold.endswith('.json') else \
        float(args.threshold)
    result = inference_model(model, args.image, threshold=threshold)
    lines = [
        f'{name}: {score:.3f}'
        for name, score in zip(result['pred_class'], result['pred_scores'])
    ]
    print('\n'.join(lines) if lines else 'no label above the threshold')
    if args.out_file:
        img = cv2.imread(args.image)
        cv2.imwrite(args.out_file, draw_text_lines(img, lines
                                                   or ['(no label)']))
        print(f'wrote {args.out_file}')


if __name__ == '__main__':
    main()
