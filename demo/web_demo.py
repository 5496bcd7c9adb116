"""A web page to try a multi-label model on your own images.

    python demo/web_demo.py [CONFIG_OR_NAME [CHECKPOINT]] [--device cpu]
        [--host 127.0.0.1] [--port 7860] [--share false]
        [--thresholds thresholds.json] [--auth-file FILE]

CONFIG_OR_NAME is a config file or a model-zoo name, CHECKPOINT a local
path or URL (as for ``demo/image_demo.py``). With no argument the page
serves the README quick start's model
(``work_dirs/mlic_quickstart/epoch_10.pth``) if it exists, and otherwise
says which command trains it.

Upload one image or several (or pick a bundled MultiGlyphs example): the
page shows every label's score as a sorted bar list with the decision
threshold (a slider, or the per-label thresholds of ``--thresholds``, the
file ``eval_metric.py --search-thresholds`` writes), the predicted labels,
where each of the best labels looks (label-query attention for MLIC and
Query2Label-style heads, the class activation map otherwise), for heads
with a label graph the graph for this image beside the training labels'
P(column | row), and the request's timings. All of it is computed by
:class:`mlic.apis.ImageExplainer`.

It binds to 127.0.0.1: only this machine can open it. To serve it to other
machines, pass ``--host 0.0.0.0`` and, unless the network is yours alone,
``--auth-file`` (lines ``user:password``; Gradio's login). ``--share true``
asks Gradio for a public link, which needs the internet. Uploads and every
file the page makes go to one temporary folder, removed when the server
stops.
"""
import argparse
import atexit
import html
import os
import os.path as osp
import shutil
import signal
import sys
import tempfile

HERE = osp.dirname(osp.abspath(__file__))
QUICK_START_CONFIG = ('configs/mlic/'
                      'mlic_singleglyphs-pre_multiglyphs-tuned-10e.py')
QUICK_START_CHECKPOINT = 'work_dirs/mlic_quickstart/epoch_10.pth'
QUICK_START_COMMAND = (f'python tools/train.py {QUICK_START_CONFIG}'
                       ' --work-dir work_dirs/mlic_quickstart')
# MultiGlyphs test scenes 3 (labels 3, 7, D), 1 (C, D, O, S, U) and
# 2 (A, K, M, N, Z)
EXAMPLES = [osp.join(HERE, 'multiglyphs_demo.png')] + sorted(
    osp.join(HERE, 'multiglyphs_examples', name)
    for name in os.listdir(osp.join(HERE, 'multiglyphs_examples')))
IMAGE_TYPES = ['.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff']


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'model', nargs='?', help='config file or model-zoo name')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint path/URL')
    parser.add_argument('--device', default=None)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=7860)
    parser.add_argument(
        '--share',
        choices=['true', 'false'],
        default='false',
        help='a public Gradio link (needs the internet)')
    parser.add_argument(
        '--thresholds',
        help='per-label thresholds JSON (eval_metric.py --search-thresholds)')
    parser.add_argument(
        '--auth-file', help='lines user:password; the page asks for one')
    parser.add_argument(
        '--num-maps',
        type=int,
        default=4,
        help='how many of the best labels get a map')
    return parser.parse_args(argv)


def resolve_model(args):
    """(config or name, checkpoint) to serve; the quick start's model when
    none is named. Refuses, naming the training command, when it is not
    trained yet."""
    if args.model:
        return args.model, args.checkpoint
    if osp.isfile(QUICK_START_CHECKPOINT):
        return QUICK_START_CONFIG, QUICK_START_CHECKPOINT
    raise FileNotFoundError(
        f'no model named and the quick start\'s checkpoint '
        f'{QUICK_START_CHECKPOINT} does not exist; train it with\n  '
        f'{QUICK_START_COMMAND}\nor name a config and a checkpoint')


def read_auth(path):
    """[(user, password)] from lines ``user:password``."""
    pairs = []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            user, sep, password = line.rstrip('\n').partition(':')
            if not sep or not user or not password:
                raise ValueError(f'{path}, line {number}: expected '
                                 'user:password')
            pairs.append((user, password))
    if not pairs:
        raise ValueError(f'{path} holds no user:password line')
    return pairs


def scores_html(classes, out, decision):
    """Every label's score, best first, as bars with the decision
    threshold marked; predicted labels highlighted."""
    predicted = set(out['predicted'])
    rows = []
    for c in out['order']:
        score, thr = float(out['scores'][c]), float(out['thresholds'][c])
        mark = ' mlic-predicted' if c in predicted else ''
        name = html.escape(classes[c])
        rows.append(
            f'<tr class="mlic-score{mark}" data-label="{name}" '
            f'data-score="{score:.4f}">'
            f'<td class="mlic-name">{name}</td>'
            f'<td class="mlic-value">{score:.4f}</td>'
            '<td class="mlic-bar-cell"><div class="mlic-bar-track">'
            f'<div class="mlic-bar" style="width:{100 * score:.1f}%"></div>'
            f'<div class="mlic-thr" style="left:{100 * thr:.1f}%" '
            f'title="threshold {thr:.3f}"></div></div></td></tr>')
    names = ', '.join(
        f'<b>{html.escape(classes[c])}</b> ({float(out["scores"][c]):.4f})'
        for c in out['predicted']) or 'none above the threshold'
    return (f'<div id="mlic-predicted">Predicted: {names}</div>'
            f'<div class="mlic-decision">{html.escape(decision)}</div>'
            f'<table id="mlic-scores">{"".join(rows)}</table>')


def error_html(name, message):
    return (f'<div id="mlic-error" class="mlic-error">'
            f'{html.escape(name)}: {html.escape(message)}</div>')


CSS = """
#mlic-scores {border-collapse: collapse; width: 100%; font-size: 14px}
#mlic-scores td {padding: 1px 6px}
.mlic-predicted td.mlic-name {font-weight: bold; color: #0b5394}
.mlic-bar-cell {width: 60%}
.mlic-bar-track {position: relative; height: 12px; background: #eee}
.mlic-bar {height: 12px; background: #6fa8dc}
.mlic-predicted .mlic-bar {background: #0b5394}
.mlic-thr {position: absolute; top: -2px; width: 2px; height: 16px;
           background: #cc0000}
.mlic-error {color: #990000; font-weight: bold; padding: 6px}
"""


def build_page(explainer, args, title):
    import cv2
    import gradio as gr

    def rgb(img):
        return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)

    per_label = args.thresholds is not None
    decision = (f'per-label thresholds from {args.thresholds}'
                if per_label else 'global threshold (slider)')

    def details(path, threshold, num_maps):
        """The outputs for one image (or its error)."""
        name = osp.basename(path)
        out = explainer.explain(path, threshold, int(num_maps))
        if out['error']:
            return (error_html(name, out['error']), '', [], None, '',
                    f'{name}: failed after {out["timings_ms"]["scores"]} ms')
        maps = [(rgb(img), f'{explainer.classes[c]}: {score:.4f}')
                for c, score, img in out['maps']]
        graph = None if out['graph'] is None else rgb(out['graph'])
        t = out['timings_ms']
        timing = (f'{name}: scores {t["scores"]} ms, maps {t["maps"]} ms, '
                  f'graph {t["graph"]} ms, total {t["total"]} ms')
        status = (f'<div id="mlic-status">{html.escape(name)}: '
                  f'{out["map_kind"]}s of the {len(maps)} best labels</div>')
        return (status, scores_html(explainer.classes, out, decision), maps,
                graph, out['graph_note'], timing)

    def predict(files, threshold, num_maps):
        paths = [f if isinstance(f, str) else f.name for f in files or []]
        if not paths:
            return ('<div id="mlic-status">upload an image</div>', '', [],
                    None, '', '', [], paths)
        first = details(paths[0], threshold, num_maps)
        summary = []
        for path in paths[1:]:
            out = explainer.explain(path, threshold, 1)
            caption = ('error: ' + out['error'] if out['error'] else ', '.join(
                explainer.classes[c] for c in out['predicted']) or '(none)')
            image = out.get('image')
            if image is not None:
                summary.append(
                    (rgb(image), f'{osp.basename(path)}: {caption}'))
            else:
                first = (first[0] + error_html(
                    osp.basename(path), out['error']), ) + first[1:]
        return first + (summary, paths)

    def select(paths, threshold, num_maps, evt: gr.SelectData):
        # the summary gallery shows images 2.. of the upload
        return details(paths[evt.index + 1], threshold, num_maps)

    with gr.Blocks(title=title) as page:
        gr.Markdown(f'## {html.escape(title)}\n'
                    'Upload images (or pick an example), then read every '
                    "label's score against its threshold, where the best "
                    'labels look and which labels the model ties together.')
        with gr.Row():
            with gr.Column(scale=1):
                files = gr.File(
                    file_count='multiple',
                    file_types=IMAGE_TYPES,
                    label='images',
                    elem_id='mlic-upload')
                threshold = gr.Slider(
                    0.0,
                    1.0,
                    value=0.5,
                    step=0.01,
                    label=('threshold' if not per_label else decision),
                    interactive=not per_label,
                    elem_id='mlic-threshold')
                num_maps = gr.Slider(
                    1,
                    max(1, min(8, len(explainer.classes))),
                    value=min(args.num_maps, len(explainer.classes)),
                    step=1,
                    label='labels with a map')
                run = gr.Button('Predict', elem_id='mlic-run')
                gr.Examples(
                    examples=[[[path]] for path in EXAMPLES],
                    inputs=[files],
                    label='MultiGlyphs examples')
            with gr.Column(scale=2):
                status = gr.HTML(elem_id='mlic-status-box')
                scores = gr.HTML(elem_id='mlic-scores-box')
                timing = gr.Markdown(elem_id='mlic-timing')
        maps = gr.Gallery(
            label='where the best labels look', columns=4, elem_id='mlic-maps')
        graph = gr.Image(label='label graph', elem_id='mlic-graph')
        graph_note = gr.Markdown(elem_id='mlic-graph-note')
        summary = gr.Gallery(
            label='the other images (click one for its details)',
            columns=6,
            elem_id='mlic-summary')
        paths = gr.State([])
        detail_outputs = [status, scores, maps, graph, graph_note, timing]
        run.click(predict, [files, threshold, num_maps],
                  detail_outputs + [summary, paths])
        # an upload, a picked example or a cleared list
        files.change(predict, [files, threshold, num_maps],
                     detail_outputs + [summary, paths])
        summary.select(select, [paths, threshold, num_maps], detail_outputs)
    return page


def main(argv=None):
    args = parse_args(argv)
    model, checkpoint = resolve_model(args)
    auth = read_auth(args.auth_file) if args.auth_file else None
    # Gradio writes uploads and outputs under GRADIO_TEMP_DIR: one folder
    # of ours, removed at exit.
    temp = tempfile.mkdtemp(prefix='mlic_web_demo_')
    atexit.register(shutil.rmtree, temp, ignore_errors=True)
    # a stop by SIGTERM (a service manager, kill) also runs the clean-up
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    os.environ['GRADIO_TEMP_DIR'] = temp
    os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')

    import gradio as gr
    import torch

    from mlic import register_all_modules
    from mlic.apis import ImageExplainer, init_model
    from mlic.apis.model_zoo import resolve_weights
    register_all_modules()
    config, checkpoint, sha256 = resolve_weights(model, checkpoint)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    net = init_model(
        config, checkpoint, device=device, checkpoint_sha256=sha256)
    explainer = ImageExplainer(net, thresholds=args.thresholds)
    # the training labels' co-occurrence, read before serving rather than
    # in the first request (MultiGlyphs and MultiDigits generate their data
    # on first use: half a minute on 2 CPU cores)
    print(
        'reading the training labels\' co-occurrence from the config\'s '
        'training set',
        flush=True)
    if explainer.training_conditional() is None:
        print(
            '  not available, the page shows the predicted graph alone: '
            f'{explainer.training_conditional_error}',
            flush=True)
    title = f'mlic: {osp.basename(str(model))}' + (
        f' ({osp.basename(str(checkpoint))})' if checkpoint else '')
    page = build_page(explainer, args, title)
    print(
        f'serving {title} on http://{args.host}:{args.port}; uploads go to '
        f'{temp} (removed when the server stops)',
        flush=True)
    page.launch(
        server_name=args.host,
        server_port=args.port,
        share=args.share == 'true',
        auth=auth,
        max_file_size='50mb',
        show_error=True,
        ssr_mode=False,
        mcp_server=False,
        css=CSS,
        theme=gr.themes.Default(
            font=['ui-sans-serif', 'system-ui', 'sans-serif'],
            font_mono=['ui-monospace', 'monospace']))


if __name__ == '__main__':
    from mlic.utils.cli import run_tool
    run_tool(main)
