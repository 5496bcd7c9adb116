"""MultiDigits: deterministic, disjoint scans, refuses other parameters."""
import json

import numpy as np
import pytest

from mlic.datasets import MultiDigits
from mlic.datasets.multi_digits import PARTNERS, _split_scans


def test_multidigits_is_deterministic_and_structured(tmp_path):
    kwargs = dict(num_train=300, num_test=50, seed=3)
    a = MultiDigits(data_root=str(tmp_path / 'a'), split='train', **kwargs)
    MultiDigits(data_root=str(tmp_path / 'b'), split='train', **kwargs)
    assert len(a) == 300
    assert list(a.metainfo['classes']) == [str(d) for d in range(10)]
    assert (tmp_path / 'a' /
            'train.txt').read_bytes() == (tmp_path / 'b' /
                                          'train.txt').read_bytes()
    assert (tmp_path / 'a' / 'train' /
            '00007.png').read_bytes() == (tmp_path / 'b' / 'train' /
                                          '00007.png').read_bytes()

    labels = [a.get_data_info(i)['gt_label'] for i in range(len(a))]
    assert all(1 <= len(lab) <= 4 for lab in labels)
    # Partners co-occur far more often than a non-partner pair.
    partner = sum(1 for lab in labels if 1 in lab and PARTNERS[1] in lab)
    other = sum(1 for lab in labels if 1 in lab and 2 in lab)
    assert partner > 2 * other

    test = MultiDigits(data_root=str(tmp_path / 'a'), split='test', **kwargs)
    assert len(test) == 50


def test_multidigits_train_and_test_scans_are_disjoint():
    targets = np.repeat(np.arange(10), 180)
    split = _split_scans(targets, seed=0)
    train = set(np.concatenate(split['train']).tolist())
    test = set(np.concatenate(split['test']).tolist())
    assert train and test and not (train & test)
    assert len(train) + len(test) == len(targets)


def test_multidigits_refuses_data_generated_with_other_parameters(tmp_path):
    MultiDigits(data_root=str(tmp_path), num_train=20, num_test=10)
    with pytest.raises(ValueError, match='meta.json was generated with'):
        MultiDigits(data_root=str(tmp_path), num_train=21, num_test=10)
    meta = json.loads((tmp_path / 'meta.json').read_text())
    assert meta['num_train'] == 20
