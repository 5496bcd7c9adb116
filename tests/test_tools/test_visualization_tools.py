"""tools/visualization/vis_cooccurrence.py, vis_attention.py and
tools/analysis_tools/analyze_results.py on randomly initialised models and a
four-image list dataset whose co-occurrence is worked out by hand."""
import csv
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest
import torch

from mlic.apis import init_model
from .helpers import list_dataset_config, run_tool

NAMES = [f'L{i}' for i in range(30)]  # MultiGlyphs models have 30 labels
# Four images: label sets over L0, L1, L2 only.
LABELS = [[0, 1], [0], [1, 2], [0, 1, 2]]
# P(column | row) by hand: n(i and j) / n(i); n(0) = 3, n(1) = 3, n(2) = 2;
# n(0,1) = 2, n(0,2) = 1, n(1,2) = 2.
BY_HAND = np.zeros((30, 30))
BY_HAND[:3, :3] = [[1, 2 / 3, 1 / 3], [2 / 3, 1, 2 / 3], [1 / 2, 1, 1]]


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp('vis')
    rng = np.random.default_rng(0)
    lines = []
    for i, labels in enumerate(LABELS):
        cv2.imwrite(
            str(root / f'img{i}.png'),
            rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
        lines.append(f'img{i}.png\t' + ','.join(NAMES[c] for c in labels))
    (root / 'list.txt').write_text('\n'.join(lines) + '\n')
    (root / 'labels.txt').write_text('\n'.join(NAMES) + '\n')
    files = {}
    for key, base in (('mlic', 'mlic/mlic_multiglyphs.py'),
                      ('baseline',
                       'baseline/resnet18_gap_linear_multiglyphs.py')):
        config = root / f'{key}.py'
        config.write_text(list_dataset_config(base, str(root)))
        torch.manual_seed(0)
        model = init_model(str(config))
        ckpt = root / f'{key}.pth'
        torch.save(
            dict(
                state_dict=model.state_dict(),
                meta=dict(dataset_meta=dict(classes=NAMES))), str(ckpt))
        files[key] = (str(config), str(ckpt))
    return root, files


def read_png(path):
    img = cv2.imread(str(path))
    assert img is not None, path
    assert img.std() > 5, f'{path} is blank'
    return img


def test_cooccurrence_of_mlic(setup, tmp_path):
    root, files = setup
    out = tmp_path / 'out'
    code, log = run_tool([
        'tools/visualization/vis_cooccurrence.py', *files['mlic'], '--out-dir',
        str(out), '--num-examples', '2'
    ])
    assert code == 0, log
    assert np.allclose(np.load(out / 'empirical.npy'), BY_HAND)
    predicted = np.load(out / 'predicted.npy')
    assert predicted.shape == (30, 30)
    assert ((predicted > 0) & (predicted < 1)).all()  # sigmoid outputs
    assert 'Pearson correlation, off-diagonal entries' in log
    both = read_png(out / 'cooccurrence.png')
    single = read_png(out / 'example_0.png')
    assert both.shape[1] > 2 * 30 * 18  # two heatmaps of 18 px cells
    assert single.shape[0] >= 30 * 18
    assert (out / 'example_1.png').exists()
    assert not (out / 'example_2.png').exists()


def test_cooccurrence_of_a_head_without_graph(setup, tmp_path):
    root, files = setup
    out = tmp_path / 'out'
    code, log = run_tool([
        'tools/visualization/vis_cooccurrence.py', *files['baseline'],
        '--out-dir',
        str(out)
    ])
    assert code == 0, log
    assert 'MultiLabelLinearClsHead has no label graph' in log
    assert np.allclose(np.load(out / 'empirical.npy'), BY_HAND)
    assert not (out / 'predicted.npy').exists()
    assert read_png(out / 'cooccurrence.png').shape[1] < 2 * 30 * 18


@pytest.mark.parametrize('key,kind', [('mlic', 'label-query attention'),
                                      ('baseline', 'class activation map')])
def test_attention_panels(setup, tmp_path, key, kind):
    root, files = setup
    out = tmp_path / 'att.png'
    code, log = run_tool([
        'tools/visualization/vis_attention.py', *files[key],
        str(root / 'img0.png'), '--out-file',
        str(out), '--topk', '3'
    ])
    assert code == 0, log
    assert f'({kind})' in log
    img = read_png(out)
    assert img.shape == (256 + 28, 4 * 256, 3)  # input + 3 labels, legend
    # each label panel differs from the input panel: a map is drawn on it
    for i in range(1, 4):
        assert np.abs(img[:256, 256 * i:256 * (i + 1)].astype(int) -
                      img[:256, :256]).mean() > 10


def test_analyze_results(setup, tmp_path):
    root, files = setup
    targets = np.zeros((4, 30), np.int64)
    for i, labels in enumerate(LABELS):
        targets[i, labels] = 1
    scores = np.full((4, 30), 0.1, np.float32)
    scores[:, 0] = [0.9, 0.8, 0.7, 0.6]  # L0: in images 0, 1, 3
    scores[:, 1] = [0.2, 0.3, 0.9, 0.4]  # L1: in 0, 2, 3; image 0 missed
    scores[:, 5] = [0.1, 0.1, 0.95, 0.1]  # L5 never present: one FP
    dump = tmp_path / 'preds.pkl'
    with open(dump, 'wb') as f:
        pickle.dump(dict(scores=scores, targets=targets, classes=NAMES), f)
    out = tmp_path / 'out'
    code, log = run_tool([
        'tools/analysis_tools/analyze_results.py', files['mlic'][0],
        str(dump), '--out-dir',
        str(out), '--topk-classes', '2', '--num-errors', '3'
    ])
    assert code == 0, log
    rows = list(csv.DictReader(open(out / 'per_class.csv')))
    assert len(rows) == 30
    by_name = {row['class']: row for row in rows}
    # L0 at 0.5: predicted in 0, 1, 2, 3; present in 0, 1, 3
    assert float(by_name['L0']['precision']) == pytest.approx(75.0)
    assert float(by_name['L0']['recall']) == pytest.approx(100.0)
    assert by_name['L0']['support'] == '3'
    # L1 at 0.5: predicted only in image 2 (present): P 100, R 33.33
    assert float(by_name['L1']['precision']) == pytest.approx(100.0)
    assert float(by_name['L1']['recall']) == pytest.approx(33.33, abs=0.01)
    aps = [float(row['AP']) for row in rows]
    assert aps == sorted(aps, reverse=True)
    assert (out / 'per_class.md').read_text().count('\n| L') == 30
    assert read_png(out / 'pr_curves.png').shape[:2] == (336, 800)
    fp = read_png(out / 'false_positives.png')
    assert fp.shape == (256, 4 * 256, 3)  # 3 tiles and a blank in one row
    assert read_png(out / 'false_negatives.png').shape == fp.shape


def test_analyze_results_refuses_a_dump_of_another_set(setup, tmp_path):
    root, files = setup
    dump = tmp_path / 'preds.pkl'
    with open(dump, 'wb') as f:
        pickle.dump(
            dict(
                scores=np.zeros((5, 30), np.float32),
                targets=np.zeros((5, 30), np.int64)), f)
    code, log = run_tool([
        'tools/analysis_tools/analyze_results.py', files['mlic'][0],
        str(dump), '--out-dir',
        str(tmp_path / 'out')
    ])
    assert code != 0
    assert 'holds 5 images but the test set' in log and 'has 4' in log
    assert osp.basename(str(dump)) in log
