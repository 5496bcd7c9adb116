import json

import numpy as np
import pytest

from mlic.datasets import LabelListDataset, MultiDigits
from mlic.datasets.multi_digits import PARTNERS, _split_scans
from mlic.registry import DATASETS


def write_list(root, lines, labels=('cat', 'dog', 'car')):
    (root / 'label.txt').write_text(''.join(f'{n}\n' for n in labels))
    (root / 'train.txt').write_text(''.join(f'{line}\n' for line in lines))


def test_label_list_parses_names_paths_and_ignore(tmp_path):
    write_list(tmp_path, ['a.jpg\tdog,cat', '/abs/b.jpg\tcar', 'c.jpg\t'])
    np.save(tmp_path / 'ignore.npy',
            np.array([[0, 0, 1], [0, 0, 0], [1, 1, 0]], dtype=np.uint8))
    ds = DATASETS.build(
        dict(
            type='LabelListDataset',
            data_root=str(tmp_path),
            data_prefix='images',
            ann_file='train.txt',
            label_file='label.txt',
            ignore_file='ignore.npy'))
    assert ds.metainfo['classes'] == ('cat', 'dog', 'car') or list(
        ds.metainfo['classes']) == ['cat', 'dog', 'car']
    first = ds.get_data_info(0)
    assert first['img_path'] == str(tmp_path / 'images' / 'a.jpg')
    assert first['gt_label'] == [0, 1]
    assert first['gt_label_difficult'] == [2]
    assert ds.get_data_info(1)['img_path'] == '/abs/b.jpg'
    assert ds.get_data_info(2)['gt_label'] == []
    assert ds.get_cat_ids(0) == [0, 1]


@pytest.mark.parametrize('line,message', [
    ('a.jpg dog', r'train.txt, line 2: expected'),
    ('a.jpg\tdog\textra', r'train.txt, line 2: expected'),
    ('a.jpg\tbird', r"train.txt, line 2: label 'bird' is not in"),
])
def test_label_list_bad_lines_are_named(tmp_path, line, message):
    write_list(tmp_path, ['ok.jpg\tcat', line])
    with pytest.raises(ValueError, match=message):
        LabelListDataset(
            data_root=str(tmp_path),
            ann_file='train.txt',
            label_file='label.txt')


def test_label_list_missing_files_are_named(tmp_path):
    write_list(tmp_path, ['ok.jpg\tcat'])
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        LabelListDataset(
            data_root=str(tmp_path),
            ann_file='nope.txt',
            label_file='label.txt')
    with pytest.raises(FileNotFoundError, match='labels.txt'):
        LabelListDataset(
            data_root=str(tmp_path),
            ann_file='train.txt',
            label_file='labels.txt')
    np.save(tmp_path / 'ignore.npy', np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r'shape \(2, 3\), expected \(1, 3\)'):
        LabelListDataset(
            data_root=str(tmp_path),
            ann_file='train.txt',
            label_file='label.txt',
            ignore_file='ignore.npy')


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


def test_label_list_accepts_a_byte_order_mark(tmp_path):
    (tmp_path / 'label.txt').write_bytes('\ufeffcat\ndog\n'.encode())
    (tmp_path / 'train.txt').write_bytes('\ufeffa.jpg\tcat,dog\n'.encode())
    ds = LabelListDataset(
        data_root=str(tmp_path), ann_file='train.txt', label_file='label.txt')
    assert list(ds.metainfo['classes']) == ['cat', 'dog']
    assert ds.get_data_info(0)['gt_label'] == [0, 1]
    assert ds.get_data_info(0)['img_path'].endswith('a.jpg')


def test_label_list_names_a_file_that_is_not_utf8(tmp_path):
    (tmp_path / 'label.txt').write_text('cat\ndog\n')
    (tmp_path / 'train.txt').write_bytes(b'a.jpg\tcat\nb\xe9.jpg\tdog\n')
    with pytest.raises(ValueError, match=r'train.txt, line 2: not UTF-8'):
        LabelListDataset(
            data_root=str(tmp_path),
            ann_file='train.txt',
            label_file='label.txt')
