import numpy as np
import pytest

from mlic.datasets import LabelListDataset
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
    assert list(ds.metainfo['classes']) == ['cat', 'dog', 'car']
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


def test_label_list_accepts_a_byte_order_mark(tmp_path):
    (tmp_path / 'label.txt').write_bytes('\ufeffcat\ndog\n'.encode())
    (tmp_path / 'train.txt').write_bytes('\ufeffa.jpg\tcat,dog\n'.encode())
    ds = LabelListDataset(
        data_root=str(tmp_path), ann_file='train.txt', label_file='label.txt')
    assert list(ds.metainfo['classes']) == ['cat', 'dog']
    assert ds.get_data_info(0)['gt_label'] == [0, 1]
    assert ds.get_data_info(0)['img_path'] == str(tmp_path / 'a.jpg')


def test_label_list_names_a_file_that_is_not_utf8(tmp_path):
    (tmp_path / 'label.txt').write_text('cat\ndog\n')
    (tmp_path / 'train.txt').write_bytes(b'a.jpg\tcat\nb\xe9.jpg\tdog\n')
    with pytest.raises(ValueError, match=r'train.txt, line 2: not UTF-8'):
        LabelListDataset(
            data_root=str(tmp_path),
            ann_file='train.txt',
            label_file='label.txt')
