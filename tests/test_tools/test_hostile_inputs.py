"""Every command-line tool and the inferencer against hostile inputs.

One generated set of bad files, arguments and outputs (zero-byte,
truncated and foreign files, a huge image header, a checkpoint of another
model, bad numbers, unwritable or clobbering outputs) goes through the
tools. For each case: a non-zero exit (or, for the images of a folder, a
per-image error and exit status 1), a message that names the file or
option at fault, no traceback, and no input file changed (sha256 of every
input before and after the whole run).

The tools run in this process (``runpy`` as ``__main__``, stdout and stderr
captured), which costs seconds instead of a Python start per case; an
exception that escapes a tool is recorded as a traceback and fails the
case. One case also runs as a real subprocess, to check the same path
there.
"""
import contextlib
import hashlib
import io
import json
import os
import os.path as osp
import pickle
import runpy
import sys
import traceback

import cv2
import numpy as np
import pytest
import torch

from mlic.apis import MultiLabelInferencer, init_model
from .helpers import REPO_ROOT, list_dataset_config, run_tool

NAMES = [f'L{i}' for i in range(30)]
BASE = 'baseline/resnet18_gap_linear_multiglyphs.py'


def sha256_tree(folder):
    return {
        osp.relpath(osp.join(root, name), folder):
        hashlib.sha256(open(osp.join(root, name), 'rb').read()).hexdigest()
        for root, _, names in os.walk(folder)
        for name in names
    }


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    """``inputs/``: the files the tools read (hashed); ``out/``: where they
    may write."""
    root = tmp_path_factory.mktemp('hostile')
    inp = root / 'inputs'
    images = inp / 'images'
    images.mkdir(parents=True)
    rng = np.random.default_rng(0)
    lines = []
    for i in range(4):
        cv2.imwrite(
            str(images / f'img{i}.png'),
            rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
        lines.append(f'images/img{i}.png\tL{i},L{i + 1}')
    (inp / 'list.txt').write_text('\n'.join(lines) + '\n')
    (inp / 'labels.txt').write_text('\n'.join(NAMES) + '\n')
    config = inp / 'model.py'
    config.write_text(list_dataset_config(BASE, str(inp)))
    torch.manual_seed(0)
    model = init_model(str(config))
    good = inp / 'good.pth'
    torch.save(
        dict(
            state_dict=model.state_dict(),
            meta=dict(dataset_meta=dict(classes=NAMES))), str(good))
    torchvision_style = {'conv1.weight': torch.zeros(64, 3, 7, 7)}
    torch.save({'state_dict': torchvision_style}, str(inp / 'torchvision.pth'))
    other = dict(model.state_dict())
    other['head.fc.bias'] = torch.zeros(20)
    other['head.fc.weight'] = torch.zeros(20, other['head.fc.weight'].shape[1])
    torch.save(dict(state_dict=other), str(inp / 'other_model.pth'))
    (inp / 'zero.pth').write_bytes(b'')
    (inp / 'cut.pth').write_bytes(good.read_bytes()[:1000])

    bad = inp / 'bad_images'
    bad.mkdir()
    cv2.imwrite(
        str(bad / 'fine.png'),
        rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
    (bad / 'zero.png').write_bytes(b'')
    noise = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    jpeg = cv2.imencode('.jpg', noise)[1].tobytes()
    (bad / 'cut.jpg').write_bytes(jpeg[:len(jpeg) // 2])
    (bad / 'text.png').write_text('not an image')
    # an 8000 x 8000 Radiance HDR header; the pixels need not be there
    huge_hdr = b'#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 8000 +X 8000\n'
    (bad / 'huge_hdr.png').write_bytes(huge_hdr + bytes(64))

    dump = dict(
        scores=rng.random((4, 30)).astype(np.float32),
        targets=(rng.random((4, 30)) > 0.8).astype(np.int64),
        classes=NAMES)
    data = pickle.dumps(dump)
    (inp / 'preds.pkl').write_bytes(data)
    (inp / 'zero.pkl').write_bytes(b'')
    (inp / 'cut.pkl').write_bytes(data[:len(data) // 2])
    (inp / 'random.pkl').write_bytes(rng.bytes(200))
    (inp / 'list.pkl').write_bytes(pickle.dumps([1, 2, 3]))
    (inp / 'bad_log.json').write_text('{"lr": 0.1, "loss": 1, "step": 1}\n'
                                      '{"lr": 0.1, "loss": \n')
    (inp / 'latin1_log.json').write_bytes(b'{"lr": 0.1, "note": "\xe9"}\n')
    (inp / 'not_json.json').write_text('{"classes": [')
    (inp / 'thresholds_2.json').write_text(
        json.dumps(dict(classes=NAMES, thresholds=[0.5] * 29 + [2.0])))
    (inp / 'a_file').write_text('a file, not a folder\n')
    (inp / 'existing.png').write_bytes(b'do not replace me')
    (inp / 'existing.pkl').write_bytes(b'do not replace me')
    (inp / 'existing.onnx').write_bytes(b'do not replace me')
    out = root / 'out'
    out.mkdir()
    return dict(
        root=root,
        inp=inp,
        out=out,
        config=str(config),
        good=str(good),
        before=sha256_tree(str(inp)))


def run_in_process(argv):
    """(exit status, stdout, stderr) of ``python argv[0] argv[1:]`` run
    here as ``__main__``; an escaping exception is a traceback on stderr
    and status 'raised'."""
    out, err = io.StringIO(), io.StringIO()
    # tools set LOCAL_RANK and the like: nothing leaks into later tests
    old_argv, old_cwd, old_env = sys.argv, os.getcwd(), dict(os.environ)
    sys.argv = [argv[0]] + [str(a) for a in argv[1:]]
    code = 0
    os.chdir(REPO_ROOT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                runpy.run_path(
                    osp.join(REPO_ROOT, argv[0]), run_name='__main__')
            except SystemExit as exit_:
                code = exit_.code
                if isinstance(code, str):  # sys.exit('message')
                    print(code, file=sys.stderr)
                    code = 1
                code = code or 0
            except BaseException:  # noqa: B902 (recorded, then asserted)
                traceback.print_exc()
                code = 'raised'
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
        os.environ.clear()
        os.environ.update(old_env)
    return code, out.getvalue(), err.getvalue()


def cases(w):
    """(name, argv, expected exit status, texts the message must hold)."""
    inp, out, cfg, good = w['inp'], w['out'], w['config'], w['good']
    demo = 'demo/image_demo.py'
    img = str(inp / 'images' / 'img0.png')
    test = 'tools/test.py'
    onnx = 'tools/deployment/pytorch2onnx.py'
    evalm = 'tools/analysis_tools/eval_metric.py'
    results = 'tools/analysis_tools/analyze_results.py'
    logs = 'tools/analysis_tools/analyze_logs.py'
    attention = 'tools/visualization/vis_attention.py'
    graph = 'tools/visualization/vis_cooccurrence.py'
    browse = 'tools/misc/browse_dataset.py'
    stats = 'tools/analysis_tools/dataset_statistics.py'
    convert = 'tools/model_converters/official2mlic.py'
    to_list = 'tools/dataset_converters/raw_to_list.py'
    train = 'tools/train.py'
    work = ['--work-dir', str(out / 'work')]
    rows = [
        # images, one by one in a folder: per-image errors, exit status 1
        ('demo: hostile images in a folder',
         [demo, inp / 'bad_images', cfg, '--checkpoint', good], 1, [
             'zero.png: the file is empty', 'cut.jpg: truncated JPEG',
             'text.png', 'huge_hdr.png: 8000 x 8000 pixels is over the limit',
             '4 of 5 images could not be read'
         ]),
        # checkpoints
        ('demo: zero-byte checkpoint',
         [demo, img, cfg, '--checkpoint',
          inp / 'zero.pth'], 1, ['zero.pth', 'empty']),
        ('demo: truncated checkpoint',
         [demo, img, cfg, '--checkpoint', inp / 'cut.pth'], 1, ['cut.pth']),
        ('demo: torchvision checkpoint',
         [demo, img, cfg, '--checkpoint', inp / 'torchvision.pth'
          ], 1, ['torchvision.pth does not fit the model', 'conv1.weight']),
        ('test.py: checkpoint of another model',
         [test, cfg, inp / 'other_model.pth'] + work, 1, [
             'other_model.pth does not fit the model',
             'head.fc.bias: checkpoint (20,) vs model (30,)'
         ]),
        ('test.py: zero-byte checkpoint', [test, cfg, inp / 'zero.pth'] + work,
         1, ['zero.pth']),
        ('onnx: checkpoint of another model',
         [onnx, cfg, inp / 'other_model.pth', '--output-file',
          out / 'm.onnx'], 1, ['other_model.pth does not fit the model']),
        ('vis_attention: torchvision checkpoint', [
            attention, cfg, inp / 'torchvision.pth', img, '--out-file',
            out / 'a.png'
        ], 1, ['torchvision.pth does not fit the model']),
        ('vis_cooccurrence: truncated checkpoint',
         [graph, cfg, inp / 'cut.pth', '--out-dir',
          out / 'graph'], 1, ['cut.pth']),
        ('train.py: load_from a truncated checkpoint', [
            train, cfg, '--work-dir', out / 'train', '--cfg-options',
            f'load_from={inp / "cut.pth"}'
        ], 1, ['cut.pth is not a readable checkpoint']),
        ('train.py: --resume a zero-byte checkpoint', [
            train, cfg, '--work-dir', out / 'train', '--resume',
            inp / 'zero.pth'
        ], 1, ['zero.pth']),
        ('official2mlic: zero-byte source',
         [convert, inp / 'zero.pth', out / 'converted.pth'], 1, ['zero.pth']),
        # images given to the visual tool
        ('vis_attention: zero-byte image', [
            attention, cfg, good, inp / 'bad_images' / 'zero.png',
            '--out-file', out / 'a.png'
        ], 1, ['zero.png: the file is empty']),
        ('vis_attention: huge HDR header', [
            attention, cfg, good, inp / 'bad_images' / 'huge_hdr.png',
            '--out-file', out / 'a.png'
        ], 1, ['huge_hdr.png: 8000 x 8000 pixels']),
        # pickles, logs, JSON
        ('eval_metric: zero-byte pickle', [evalm, inp / 'zero.pkl'], 1,
         ['zero.pkl is not a readable pickle', 'empty']),
        ('eval_metric: truncated pickle', [evalm, inp / 'cut.pkl'], 1,
         ['cut.pkl is not a readable pickle']),
        ('eval_metric: random bytes', [evalm, inp / 'random.pkl'], 1,
         ['random.pkl is not a readable pickle']),
        ('eval_metric: a pickle of a list', [evalm, inp / 'list.pkl'], 1,
         ['list.pkl holds a list, not a prediction dump']),
        ('eval_metric: thresholds not JSON',
         [evalm, inp / 'preds.pkl', '--thresholds', inp / 'not_json.json'
          ], 1, ['not_json.json, line 1, column 14: not JSON']),
        ('eval_metric: threshold 2.0 in JSON',
         [evalm, inp / 'preds.pkl', '--thresholds', inp / 'thresholds_2.json'
          ], 1, ["thresholds_2.json: the threshold of 'L29' is 2.0"]),
        ('analyze_results: truncated pickle',
         [results, cfg, inp / 'cut.pkl', '--out-dir',
          out / 'results'], 1, ['cut.pkl is not a readable pickle']),
        ('analyze_logs: broken JSON line',
         [logs, 'cal_train_time', inp / 'bad_log.json'
          ], 1, ['bad_log.json, line 2, column 21: not JSON']),
        ('analyze_logs: not UTF-8',
         [logs, 'cal_train_time',
          inp / 'latin1_log.json'], 1, ['latin1_log.json, line 1: not UTF-8']),
        # bad numbers: the parser, exit status 2
        ('demo: --threshold abc', [demo, img, cfg, '--threshold', 'abc'], 2,
         ["'abc' is neither a number nor a .json"]),
        ('demo: --threshold nan', [demo, img, cfg, '--threshold', 'nan'], 2,
         ['nan is not a score in [0, 1]']),
        ('eval_metric: --threshold -0.1',
         [evalm, inp / 'preds.pkl', '--threshold',
          '-0.1'], 2, ['-0.1 is not a score in [0, 1]']),
        ('eval_metric: --topk 0', [evalm, inp / 'preds.pkl', '--topk',
                                   '0'], 2, ['0 is not at least 1']),
        ('analyze_results: --threshold 1.5', [
            results, cfg, inp / 'preds.pkl', '--out-dir', out / 'r',
            '--threshold', '1.5'
        ], 2, ['1.5 is not a score in [0, 1]']),
        ('onnx: --shape 0 0', [
            onnx, cfg, good, '--output-file', out / 'm.onnx', '--shape', '0',
            '0'
        ], 2, ['0 is not at least 1']),
        ('onnx: --shape -3 64', [
            onnx, cfg, good, '--output-file', out / 'm.onnx', '--shape', '-3',
            '64'
        ], 2, ['-3 is not at least 1']),
        ('vis_attention: --topk 0', [
            attention, cfg, good, img, '--out-file', out / 'a.png', '--topk',
            '0'
        ], 2, ['0 is not at least 1']),
        ('vis_cooccurrence: --batch-size 0',
         [graph, cfg, good, '--out-dir', out / 'g', '--batch-size',
          '0'], 2, ['0 is not at least 1']),
        ('browse_dataset: --num x', [browse, cfg, '--num',
                                     'x'], 2, ["'x' is not an integer"]),
        # outputs: checked before any work, nothing replaced
        ('demo: --out-dir is the input folder',
         [demo, inp / 'images', cfg, '--out-dir',
          inp / 'images'], 1, [f'--out-dir {inp / "images"} holds the input']),
        ('demo: --out-file with a text extension',
         [demo, img, cfg, '--out-file',
          out / 'x.txt'], 1, ['OpenCV writes no image of that extension']),
        ('demo: --out under a file',
         [demo, img, cfg, '--out',
          inp / 'a_file' / 'p.jsonl'], 1, ['a_file is a file, not a folder']),
        ('demo: --out-file exists',
         [demo, img, cfg, '--out-file',
          inp / 'existing.png'], 1, ['existing.png exists; pass --force']),
        ('test.py: --out exists',
         [test, cfg, good, '--out', inp / 'existing.pkl'] + work, 1,
         ['existing.pkl exists; pass --force']),
        ('test.py: --out not a pickle name',
         [test, cfg, good, '--out', out / 'preds.txt'] + work, 1,
         ['preds.txt must end with .pkl']),
        ('test.py: --out under a file',
         [test, cfg, good, '--out', inp / 'a_file' / 'p.pkl'] + work, 1,
         ['a_file is a file, not a folder']),
        ('train.py: work dir under a file',
         [train, cfg, '--work-dir',
          inp / 'a_file' / 'w'], 1, ['a_file is a file, not a folder']),
        ('test.py: work dir under a file',
         [test, cfg, good, '--work-dir',
          inp / 'a_file' / 'w'], 1, ['a_file is a file, not a folder']),
        ('onnx: --output-file exists',
         [onnx, cfg, good, '--output-file',
          inp / 'existing.onnx'], 1, ['existing.onnx exists; pass --force']),
        ('onnx: --output-file is the checkpoint',
         [onnx, cfg, good, '--output-file',
          good], 1, ['must end with .onnx', 'is the input file']),
        ('eval_metric: --search-thresholds onto the dump',
         [evalm, inp / 'preds.pkl', '--search-thresholds',
          inp / 'preds.pkl'], 1, ['is the input file']),
        ('analyze_results: --out-dir is a file',
         [results, cfg, inp / 'preds.pkl', '--out-dir',
          inp / 'a_file'], 1, ['a_file is a file, not a folder']),
        ('analyze_logs: --out with a text extension',
         [logs, 'plot_curve', inp / 'bad_log.json', '--out',
          out / 'c.txt'], 1, ['c.txt must end with .png']),
        ('vis_attention: --out-file with a text extension',
         [attention, cfg, good, img, '--out-file',
          out / 'a.txt'], 1, ['OpenCV writes no image of that extension']),
        ('vis_cooccurrence: --out-dir holds the config',
         [graph, cfg, good, '--out-dir', inp], 1, ['holds the input']),
        ('browse_dataset: --output-dir is the image folder',
         [browse, cfg, '--output-dir',
          inp / 'images'], 1, ['holds the input']),
        ('dataset_statistics: --out-dir is a file',
         [stats, cfg, '--out-dir',
          inp / 'a_file'], 1, ['a_file is a file, not a folder']),
        ('official2mlic: DST is the source', [convert, good,
                                              good], 1, ['is the input file']),
        ('raw_to_list: OUT_DIR is a file',
         [to_list, 'VOC2007', inp,
          inp / 'a_file'], 1, ['a_file is a file, not a folder']),
    ]
    return rows


def test_every_tool_fails_cleanly_on_hostile_inputs(world):
    failures = []
    seen = []
    for name, argv, expected, texts in cases(world):
        code, stdout, stderr = run_in_process(argv)
        seen.append(name)
        text = stdout + stderr
        problems = []
        if code != expected:
            problems.append(f'exit status {code}, expected {expected}')
        if 'Traceback' in stderr:
            problems.append('a traceback')
        problems += [f'no {t!r}' for t in texts if t not in text]
        if expected == 1 and 'multi-label/mAP' in text:
            problems.append('a metric was printed')
        if problems:
            failures.append(f'{name}: {"; ".join(problems)}\n'
                            f'--- output:\n{text[-1500:]}')
    assert len(seen) >= 53
    assert sha256_tree(str(world['inp'])) == world['before'], \
        'an input file was changed'
    assert not failures, '\n\n'.join(failures)


def test_the_same_path_in_a_real_process(world):
    """As a user runs it: one line on stderr, exit status 1."""
    code, out = run_tool(
        ['tools/analysis_tools/eval_metric.py',
         str(world['inp'] / 'cut.pkl')])
    assert code == 1
    assert out.strip().splitlines()[-1].startswith(
        f'error: {world["inp"] / "cut.pkl"} is not a readable pickle')
    assert 'Traceback' not in out


def test_inferencer_reports_each_bad_input_and_predicts_the_rest(world):
    inferencer = MultiLabelInferencer(
        world['config'], world['good'], device='cpu', num_workers=0)
    bad = world['inp'] / 'bad_images'
    good_image = cv2.imread(str(bad / 'fine.png'))
    inputs = [
        str(bad / 'fine.png'),
        str(bad / 'zero.png'),
        str(bad / 'cut.jpg'),
        str(bad / 'text.png'),
        str(bad / 'huge_hdr.png'),
        np.zeros((0, 5, 3), np.uint8),
        good_image.astype(np.float64),  # [0, 255] floats: ambiguous
        good_image.astype(np.int32),
        good_image,
    ]
    # a glob over a folder with two symlink loops lists its real files once
    loops = world['root'] / 'loops'
    (loops / 'sub').mkdir(parents=True, exist_ok=True)
    if not (loops / 'sub' / 'up').exists():
        (loops / 'sub' / 'up').symlink_to(loops)
        (loops / 'self').symlink_to(loops)
        cv2.imwrite(str(loops / 'sub' / 'a.png'), good_image)
    looped = inferencer(str(loops / '**' / '*.png'), batch_size=4)
    assert [r['img_path'] for r in looped] == [str(loops / 'sub' / 'a.png')]
    results = inferencer(inputs, batch_size=4)
    errors = [r['error'] for r in results]
    assert errors[0] is None and errors[-1] is None
    for path, error in zip(inputs[1:5], errors[1:5]):
        assert error and osp.basename(path) in error, (path, error)
    assert 'empty' in errors[5]
    assert 'values in [0, 1]' in errors[6]
    assert 'int32' in errors[7]
    np.testing.assert_allclose(
        results[0]['pred_scores'], results[-1]['pred_scores'], atol=1e-6)
    assert sha256_tree(str(world['inp'])) == world['before']
