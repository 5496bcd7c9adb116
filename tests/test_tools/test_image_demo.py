"""demo/image_demo.py: one image or a folder; .jsonl and .csv outputs;
drawn copies; a bad image makes the exit status 1 after the rest."""
import csv
import json

import cv2
import numpy as np
import pytest
import torch

from ..test_tools.helpers import run_tool
from ..zoo_fixtures import CONFIG


@pytest.fixture(scope='module')
def checkpoint(tiny_model, tmp_path_factory):
    path = tmp_path_factory.mktemp('ckpt') / 'digits.pth'
    torch.save(dict(state_dict=tiny_model.state_dict()), str(path))
    return str(path)


def test_one_image_is_printed_and_drawn(checkpoint, tmp_path):
    out_file = tmp_path / 'out.png'
    code, out = run_tool([
        'demo/image_demo.py', 'demo/demo.png', CONFIG, '--checkpoint',
        checkpoint, '--threshold', '0', '--out-file',
        str(out_file)
    ])
    assert code == 0, out
    line = next(x for x in out.splitlines() if x.startswith('demo/demo.png'))
    assert len(line.split(', ')) == 10  # threshold 0: every label
    assert cv2.imread(str(out_file)).shape == (256, 256, 3)


def test_folder_to_jsonl_csv_and_drawings(checkpoint, tmp_path):
    images = tmp_path / 'images'
    (images / 'sub').mkdir(parents=True)
    rng = np.random.default_rng(1)
    for name in ('x.png', 'sub/x.png'):  # the same file name twice
        cv2.imwrite(
            str(images / name), rng.integers(0, 255, (64, 64, 3), np.uint8))
    (images / 'broken.png').write_bytes(b'\x89PNG\r\n\x1a\n' + b'\0' * 20)

    jsonl = tmp_path / 'preds.jsonl'
    code, out = run_tool([
        'demo/image_demo.py',
        str(images), CONFIG, '--checkpoint', checkpoint, '--batch-size', '2',
        '--topk', '2', '--out',
        str(jsonl), '--out-dir',
        str(tmp_path / 'drawn')
    ])
    assert code == 1, out  # after processing the readable images
    assert '1 of 3 images could not be read' in out
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [r['path'] for r in rows] == [
        str(images / 'broken.png'),
        str(images / 'sub' / 'x.png'),
        str(images / 'x.png')
    ]
    broken, *good = rows
    assert 'broken.png' in broken['error'] and broken['scores'] is None
    for r in good:
        assert r['error'] is None and len(r['labels']) == 2
        assert list(r['scores']) == [str(d) for d in range(10)]
        best = sorted(r['scores'], key=lambda c: -r['scores'][c])[:2]
        assert r['labels'] == best
    assert sorted(p.name for p in (tmp_path / 'drawn').iterdir()) == [
        '000002_x.png', 'x.png'
    ]

    table = tmp_path / 'preds.csv'
    code, out = run_tool([
        'demo/image_demo.py',
        str(images / 'sub' / '*.png'), CONFIG, '--checkpoint', checkpoint,
        '--out',
        str(table)
    ])
    assert code == 0, out
    with open(table) as f:
        header, row = list(csv.reader(f))
    assert header == ['path', 'error'] + [str(d) for d in range(10)]
    assert row[0] == str(images / 'sub' / 'x.png') and row[1] == ''
    np.testing.assert_allclose([float(v) for v in row[2:]],
                               list(good[0]['scores'].values()),
                               atol=2e-6)


def test_bad_output_name_is_refused_before_any_work(tmp_path):
    code, out = run_tool([
        'demo/image_demo.py', 'demo/demo.png', CONFIG, '--out',
        str(tmp_path / 'preds.txt')
    ])
    assert code == 1 and 'preds.txt must end with .jsonl or .csv' in out
    assert 'Traceback' not in out


def folder_hashes(folder):
    import hashlib
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob('*')) if p.is_file()
    }


def noise_images(folder, names=('a.png', 'b.png')):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2)
    for name in names:
        cv2.imwrite(
            str(folder / name), rng.integers(0, 255, (64, 64, 3), np.uint8))
    return folder


@pytest.mark.parametrize('where', ['same', 'parent'])
def test_out_dir_holding_the_inputs_is_refused_before_any_work(
        checkpoint, tmp_path, where):
    images = noise_images(tmp_path / 'in')
    before = folder_hashes(images)
    out_dir = images if where == 'same' else tmp_path
    code, out = run_tool([
        'demo/image_demo.py',
        str(images), CONFIG, '--checkpoint', checkpoint, '--out-dir',
        str(out_dir)
    ])
    assert code != 0
    assert f'--out-dir {out_dir} holds the input {images}' in out
    assert 'Traceback' not in out
    assert 'no --checkpoint' not in out and ': ' not in out.split('error:')[
        0]  # nothing predicted before the refusal
    assert folder_hashes(images) == before


def test_existing_outputs_need_force(checkpoint, tmp_path):
    images = noise_images(tmp_path / 'in')
    out_dir = tmp_path / 'drawn'
    jsonl = tmp_path / 'p.jsonl'
    args = [
        'demo/image_demo.py',
        str(images), CONFIG, '--checkpoint', checkpoint, '--out-dir',
        str(out_dir), '--out',
        str(jsonl)
    ]
    code, out = run_tool(args)
    assert code == 0, out
    drawn = folder_hashes(out_dir)
    assert set(drawn) == {'a.png', 'b.png'}
    jsonl.write_text('mine\n')
    code, out = run_tool(args)
    assert code != 0 and 'pass --force' in out and 'Traceback' not in out
    assert f'--out {jsonl} exists' in out
    assert 'already has 2 of the files this writes' in out
    assert jsonl.read_text() == 'mine\n'  # nothing replaced
    code, out = run_tool(args + ['--force'])
    assert code == 0, out
    assert jsonl.read_text() != 'mine\n'


@pytest.mark.parametrize('option, value, message', [
    ('--out-file', 'x.txt', 'OpenCV writes no image of that extension'),
    ('--out-file', 'missing/x.png', 'does not exist'),
    ('--out', 'a_file/p.jsonl', 'a_file is a file, not a folder'),
    ('--out', 'folder.jsonl', 'is a folder'),
])
def test_unwritable_outputs_are_refused_before_any_work(
        checkpoint, tmp_path, option, value, message):
    (tmp_path / 'folder.jsonl').mkdir()
    (tmp_path / 'a_file').write_text('')
    code, out = run_tool([
        'demo/image_demo.py', 'demo/demo.png', CONFIG, '--checkpoint',
        checkpoint, option,
        str(tmp_path / value)
    ])
    assert code != 0 and message in out, out
    assert 'Traceback' not in out and 'demo/demo.png:' not in out


@pytest.mark.parametrize('args, message', [
    (['--threshold', 'abc'], "'abc' is neither a number nor a .json"),
    (['--threshold', 'nan'], 'nan is not a score in [0, 1]'),
    (['--threshold', '-0.1'], '-0.1 is not a score in [0, 1]'),
    (['--batch-size', '0'], '0 is not at least 1'),
    (['--topk', 'x'], "'x' is not an integer"),
])
def test_bad_numbers_are_refused_by_the_parser(args, message):
    code, out = run_tool(['demo/image_demo.py', 'demo/demo.png', CONFIG] +
                         args)
    assert code == 2 and message in out, out
    assert 'Traceback' not in out


def test_thresholds_file_out_of_range_names_file_and_label(
        checkpoint, tmp_path, tiny_model):
    classes = list(tiny_model.dataset_meta['classes'])
    path = tmp_path / 'thresholds.json'
    values = [0.5] * len(classes)
    values[3] = 2.0
    path.write_text(json.dumps(dict(classes=classes, thresholds=values)))
    code, out = run_tool([
        'demo/image_demo.py', 'demo/demo.png', CONFIG, '--checkpoint',
        checkpoint, '--threshold',
        str(path)
    ])
    assert code != 0 and 'Traceback' not in out, out
    assert f'{path}: the threshold of {classes[3]!r} is 2.0' in out


def test_inference_thresholds_must_be_scores(tiny_model):
    from mlic.apis import inference_model
    image = np.zeros((64, 64, 3), np.uint8)
    for bad in (-0.1, 1.5, float('nan')):
        with pytest.raises(ValueError, match=r'scores in \[0, 1\]'):
            inference_model(tiny_model, image, threshold=bad)
