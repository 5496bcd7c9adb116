"""Partial labels on the dataset side: the list file's marks, the
protocols, PartialLabelDataset and the label statistics over known labels
(docs/partial_labels.md)."""
import numpy as np
import pytest
import torch

from mlic.datasets import LabelListDataset, PartialLabelDataset
from mlic.datasets.partial_label_protocols import (drop_positives,
                                                   keep_known_proportion,
                                                   keep_single_positive)
from mlic.datasets.statistics import label_statistics
from mlic.datasets.unknown_labels import count_unknown_labels
from mlic.models.utils import multilabel_targets

PACK = [dict(type='PackInputs', algorithm_keys=('gt_label_unknown', ))]


def write_list(root, lines, labels=('cat', 'dog', 'car')):
    (root / 'label.txt').write_text(''.join(f'{n}\n' for n in labels))
    (root / 'train.txt').write_text(''.join(f'{line}\n' for line in lines))


def list_dataset(root, pipeline=PACK, **kwargs):
    return LabelListDataset(
        data_root=str(root),
        ann_file='train.txt',
        label_file='label.txt',
        pipeline=pipeline,
        **kwargs)


def test_list_file_marks_unknown_and_negative_labels(tmp_path):
    write_list(tmp_path, ['a.jpg\tdog,?cat', 'b.jpg\t-car,cat', 'c.jpg\t'])
    ds = list_dataset(tmp_path)
    assert ds.get_data_info(0)['gt_label'] == [1]
    assert ds.get_data_info(0)['gt_label_unknown'] == [0]
    assert 'gt_label_unknown' not in ds.get_data_info(1)
    assert ds.num_unknown_labels == 1 == count_unknown_labels(ds)
    # a line that names its negatives: everything else unknown
    ds = list_dataset(tmp_path, unlisted='unknown')
    assert ds.get_data_info(1)['gt_label'] == [0]
    assert ds.get_data_info(1)['gt_label_unknown'] == [1]
    assert ds.get_data_info(2)['gt_label_unknown'] == [0, 1, 2]
    assert ds.get_data_info(0)["gt_label_unknown"] == [0, 2]
    assert ds.num_unknown_labels == 2 + 1 + 3


def test_targets_of_a_packed_list_are_1_0_minus_1(tmp_path):
    write_list(tmp_path, ['a.jpg\tdog,?cat', 'b.jpg\tcar'])
    ds = list_dataset(tmp_path)
    samples = [ds[i]['data_samples'] for i in range(2)]
    assert torch.equal(
        multilabel_targets(samples, 3, torch.device('cpu')),
        torch.tensor([[-1., 1, 0], [0, 0, 1]]))


@pytest.mark.parametrize('line,message', [
    ('a.jpg\tdog,?dog', "label 'dog' is marked both positive and unknown"),
    ('a.jpg\t-cat,?cat', "label 'cat' is marked both negative and unknown"),
    ('a.jpg\t?bird', "train.txt, line 1: label 'bird' is not in"),
])
def test_conflicting_marks_are_named_with_the_line(tmp_path, line, message):
    write_list(tmp_path, [line])
    with pytest.raises(ValueError, match=message):
        list_dataset(tmp_path)


def test_a_label_file_whose_names_clash_with_the_marks_is_refused(tmp_path):
    write_list(tmp_path, ['a.jpg\tcat'], labels=('cat', '?cat'))
    with pytest.raises(ValueError, match=r"\['\?cat'\] could be read"):
        list_dataset(tmp_path)


def test_unknown_labels_that_the_pipeline_drops_are_refused(tmp_path):
    write_list(tmp_path, ['a.jpg\tdog,?cat', 'b.jpg\tcar'])
    ds = list_dataset(tmp_path, pipeline=[dict(type='PackInputs')])
    assert ds[1]['data_samples'].gt_label.tolist() == [2]  # nothing unknown
    with pytest.raises(
            ValueError,
            match=r'a.jpg: this image has 1 unknown label.*'
            r"algorithm_keys=\('gt_label_unknown'"):
        ds[0]


def full_states(seed=0, n=200, c=12):
    rng = np.random.default_rng(seed)
    return (rng.random((n, c)) < 0.3).astype(np.int8)


def test_known_proportion_keeps_that_share_of_every_image():
    states = full_states()
    out = keep_known_proportion(states, 0.25, np.random.default_rng(1))
    assert np.all((out >= 0).sum(1) == 3)
    known = out >= 0
    assert np.array_equal(out[known], states[known])  # nothing flipped
    # the draw is the seed's
    again = keep_known_proportion(states, 0.25, np.random.default_rng(1))
    other = keep_known_proportion(states, 0.25, np.random.default_rng(2))
    assert np.array_equal(out, again) and not np.array_equal(out, other)
    # positives and negatives are hidden alike
    share = known[states == 1].mean()
    assert abs(share - 0.25) < 0.05
    with pytest.raises(ValueError, match='known_proportion'):
        keep_known_proportion(states, 0, np.random.default_rng(0))


def test_single_positive_keeps_one_true_positive():
    states = full_states()
    out = keep_single_positive(states, np.random.default_rng(0))
    has = states.max(1) == 1
    assert np.all((out == 1).sum(1) == has)
    assert np.all(states[out == 1] == 1)
    assert np.all(out[~has] == -1) and not (out == 0).any()
    # uniform over an image's positives: every one of them gets chosen
    many = np.tile(np.array([[1, 1, 1, 0]], np.int8), (3000, 1))
    chosen = (keep_single_positive(many, np.random.default_rng(0)) == 1)
    assert np.all(np.abs(chosen.mean(0)[:3] - 1 / 3) < 0.03)


@pytest.mark.parametrize('unannotated', ['unknown', 'negative'])
def test_positive_drop(unannotated):
    states = full_states()
    states[0, 0] = -1  # hidden before: stays hidden
    out = drop_positives(states, 0.4, np.random.default_rng(5), unannotated)
    kept = out == 1
    assert np.all(states[kept] == 1)
    assert abs(kept.sum() / (states == 1).sum() - 0.6) < 0.06
    rest = out[~kept]
    assert set(
        np.unique(rest)) <= ({-1} if unannotated == 'unknown' else {0, -1})
    assert out[0, 0] == -1


def test_partial_label_dataset_draws_records_and_packs(tmp_path):
    lines = [
        f'{i}.jpg\tcat,dog' if i % 2 else f'{i}.jpg\tcar' for i in range(20)
    ]
    write_list(tmp_path, lines)
    record = tmp_path / 'out' / 'single_positive.txt'
    cfg = dict(
        type='LabelListDataset',
        data_root=str(tmp_path),
        ann_file='train.txt',
        label_file='label.txt',
        pipeline=PACK)
    ds = PartialLabelDataset(
        cfg, protocol='single_positive', seed=3, record_file=str(record))
    states = ds.label_states()
    assert np.all((states == 1).sum(1) == 1) and not (states == 0).any()
    assert ds.num_unknown_labels == 20 * 2
    info = ds.get_data_info(1)
    assert len(info['gt_label']) == 1 and info['gt_label'][0] in (0, 1)
    assert ds.get_cat_ids(1) == info['gt_label']
    sample = ds[1]['data_samples']
    assert sorted(sample.gt_label_unknown) == sorted({0, 1, 2} -
                                                     set(info['gt_label']))
    # the record reads back as the same training labels
    back = LabelListDataset(
        ann_file=str(record), label_file=str(tmp_path / 'label.txt'))
    for i in range(20):
        assert back.get_data_info(i)['gt_label'] == ds.get_cat_ids(i)
        assert back.get_data_info(i)['gt_label_unknown'] == \
            ds.get_data_info(i)['gt_label_unknown']
    # the same seed, the same labels; another, others
    again = PartialLabelDataset(cfg, protocol='single_positive', seed=3)
    other = PartialLabelDataset(cfg, protocol='single_positive', seed=4)
    assert np.array_equal(again.label_states(), states)
    assert not np.array_equal(other.label_states(), states)


def test_partial_label_dataset_refuses_test_sets_and_missing_arguments(
        tmp_path):
    write_list(tmp_path, ['a.jpg\tcat'])
    cfg = dict(
        type='LabelListDataset',
        data_root=str(tmp_path),
        ann_file='train.txt',
        label_file='label.txt')
    with pytest.raises(ValueError, match='test_mode'):
        PartialLabelDataset(
            dict(cfg, test_mode=True), protocol='single_positive')
    with pytest.raises(ValueError, match='needs known_proportion'):
        PartialLabelDataset(cfg, protocol='known_proportion')
    with pytest.raises(ValueError, match='needs drop_rate'):
        PartialLabelDataset(cfg, protocol='positive_drop')
    with pytest.raises(ValueError, match='protocol must be one of'):
        PartialLabelDataset(cfg, protocol='half')


def test_statistics_count_known_labels_only():
    # label 1 follows label 0 in every image where label 1 is known
    positives = [[0, 1], [0, 1], [0], [0], [2]]
    unknowns = [[], [], [1], [1], []]
    stats = label_statistics(positives, 3, unknowns)
    assert stats['conditional'][0, 1] == 1.0  # not 2/4
    assert stats['known_pairs'][0].tolist() == [4, 2, 4]
    assert stats['unknown'].tolist() == [0, 2, 0]
    assert stats['targets'][2].tolist() == [1, -1, 0]
    # with full labels the denominators are the label counts
    full = label_statistics(positives, 3)
    assert np.array_equal(full['known_pairs'],
                          np.repeat(full['frequency'][:, None], 3, 1))
    assert full['conditional'][0, 1] == 0.5
