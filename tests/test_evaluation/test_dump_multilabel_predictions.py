"""DumpMultiLabelPredictions writes plain arrays that the safe loader
reads back exactly."""
import pickle

import numpy as np
import pytest
import torch

from mlic.evaluation import DumpMultiLabelPredictions
from mlic.utils import safe_pickle_load


def samples():
    return [
        dict(
            pred_score=torch.tensor([0.9, 0.1, 0.4]),
            gt_label=torch.tensor([0]),
            gt_label_difficult=torch.tensor([2])),
        dict(pred_score=torch.tensor([0.2, 0.8, 0.7]), gt_label=[1, 2]),
    ]


def test_dump_writes_scores_targets_ignore_and_classes(tmp_path):
    out = tmp_path / 'preds.pkl'
    metric = DumpMultiLabelPredictions(str(out))
    metric.dataset_meta = dict(classes=('cat', 'dog', 'car'))
    metric.process(None, samples())
    assert metric.evaluate(2) == {}
    dumped = safe_pickle_load(str(out))
    assert set(dumped) == {'scores', 'targets', 'ignore', 'classes'}
    np.testing.assert_array_equal(
        dumped['scores'],
        np.array([[0.9, 0.1, 0.4], [0.2, 0.8, 0.7]], np.float32))
    assert dumped['scores'].dtype == np.float32
    np.testing.assert_array_equal(dumped['targets'],
                                  [[True, False, False], [False, True, True]])
    np.testing.assert_array_equal(dumped['ignore'],
                                  [[False, False, True], [False] * 3])
    assert dumped['classes'] == ['cat', 'dog', 'car']
    # plain pickle reads it too, and nothing is left beside it
    with open(out, 'rb') as f:
        assert pickle.load(f)['classes'] == ['cat', 'dog', 'car']
    assert sorted(p.name for p in tmp_path.iterdir()) == ['preds.pkl']


def test_dump_without_class_names_leaves_them_out(tmp_path):
    metric = DumpMultiLabelPredictions(str(tmp_path / 'p.pkl'))
    metric.process(None, samples())
    metric.evaluate(2)
    assert 'classes' not in safe_pickle_load(str(tmp_path / 'p.pkl'))


def test_dump_refuses_other_extensions(tmp_path):
    with pytest.raises(
            ValueError, match=r'must end with \.pkl, got .*p\.json'):
        DumpMultiLabelPredictions(str(tmp_path / 'p.json'))
