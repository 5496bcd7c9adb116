"""NUSWIDE from its raw layout: lists, labels, missing images, BOM."""
import os.path as osp

import pytest

from .raw_trees import build, make_nuswide, samples


def test_nuswide_lists_labels_and_paths(tmp_path):
    root = make_nuswide(str(tmp_path))
    train = build('NUSWIDE', root, split='train')
    assert list(train.metainfo['classes']) == ['animal', 'beach', 'sky']
    got = samples(train)
    assert [s['gt_label'] for s in got] == [[0, 2], [0, 1, 2]]
    assert got[0]['img_path'] == osp.join(root, 'Flickr', 'actor',
                                          '0001_1.jpg')
    test = build('NUSWIDE', root, split='test')
    assert [s['gt_label'] for s in samples(test)] == [[1], [2]]


def test_nuswide_missing_images_error_or_skip(tmp_path):
    root = make_nuswide(str(tmp_path), missing=('beach\\0004_4.jpg', ))
    with pytest.raises(
            FileNotFoundError,
            match=r'1 image\(s\) .* missing, first .*0004_4.jpg'):
        build('NUSWIDE', root, split='train')
    ds = build('NUSWIDE', root, split='train', missing_images='skip')
    assert ds.num_skipped == 1
    assert [s['gt_label'] for s in samples(ds)] == [[0, 2]]


def test_nuswide_bad_label_line_is_named(tmp_path):
    root = make_nuswide(str(tmp_path))
    path = osp.join(root, 'Groundtruth', 'AllLabels', 'Labels_beach.txt')
    with open(path, 'w') as f:
        f.write('0\n0\n1\n2\n0\n')
    with pytest.raises(
            ValueError, match=r"Labels_beach.txt, line 4: expected 0 or 1"):
        build('NUSWIDE', root, split='train')
    with open(path, 'w') as f:
        f.write('0\n0\n1\n')
    with pytest.raises(ValueError, match='has 3 lines, expected 5'):
        build('NUSWIDE', root, split='train')


def test_nuswide_files_with_a_byte_order_mark_load(tmp_path):
    root = make_nuswide(str(tmp_path))
    before = samples(build('NUSWIDE', root, split='train'))
    for rel in (('Groundtruth', 'AllLabels', 'Labels_beach.txt'),
                ('Concepts81.txt', ), ('ImageList', 'Imagelist.txt')):
        path = osp.join(root, *rel)
        if not osp.isfile(path):
            continue
        with open(path, 'rb') as f:
            data = f.read()
        with open(path, 'wb') as f:
            f.write(b'\xef\xbb\xbf' + data)
    assert samples(build('NUSWIDE', root, split='train')) == before
