import os.path as osp

import numpy as np

from mlic.registry import DATASETS
from ..test_datasets.raw_trees import make_voc
from .helpers import REPO_ROOT, run_tool


def test_raw_to_list_round_trips_through_label_list_dataset(tmp_path):
    root = make_voc(str(tmp_path / 'VOC2007'))
    out = str(tmp_path / 'lists')
    code, log = run_tool(
        ['tools/dataset_converters/raw_to_list.py', 'VOC2007', root, out])
    assert code == 0, log
    raw = DATASETS.build(dict(type='VOC2007', data_root=root, split='test'))
    lists = DATASETS.build(
        dict(
            type='LabelListDataset',
            data_root=out,
            ann_file='test.txt',
            label_file='label.txt',
            ignore_file='ignore.npy'))
    assert list(lists.metainfo['classes']) == list(raw.metainfo['classes'])
    for i in range(len(raw)):
        a, b = raw.get_data_info(i), lists.get_data_info(i)
        assert a['img_path'] == b['img_path']
        assert a['gt_label'] == b['gt_label']
        assert a['gt_label_difficult'] == b['gt_label_difficult']
    ignore = np.load(osp.join(out, 'ignore.npy'))
    assert ignore.shape == (3, 20) and ignore.dtype == np.int64
    np.testing.assert_array_equal(
        ignore, [[int(c in info['gt_label_difficult']) for c in range(20)]
                 for info in (raw.get_data_info(i) for i in range(3))])

    # Paths are relative to the list folder: data and lists move together.
    first = open(osp.join(out, 'test.txt')).readline().split('\t')[0]
    assert first == osp.join('..', 'VOC2007', 'JPEGImages', '000001.jpg')
    import shutil
    moved = tmp_path / 'elsewhere'
    moved.mkdir()
    shutil.move(root, moved / 'VOC2007')
    shutil.move(out, moved / 'lists')
    again = DATASETS.build(
        dict(
            type='LabelListDataset',
            data_root=str(moved / 'lists'),
            ann_file='test.txt',
            label_file='label.txt'))
    assert all(
        osp.isfile(again.get_data_info(i)['img_path'])
        for i in range(len(again)))
    root = str(moved / 'VOC2007')
    out = str(moved / 'lists')

    # Existing lists are never replaced silently.
    code, log = run_tool(
        ['tools/dataset_converters/raw_to_list.py', 'VOC2007', root, out])
    assert code != 0 and 'pass --overwrite' in log
    code, log = run_tool([
        'tools/dataset_converters/raw_to_list.py', 'VOC2007', root, out,
        '--overwrite', '--absolute-paths'
    ])
    assert code == 0, log
    first = open(osp.join(out, 'test.txt')).readline().split('\t')[0]
    assert first == osp.join(root, 'JPEGImages', '000001.jpg')


def test_browse_dataset_saves_augmented_samples(tmp_path):
    import cv2
    config = osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_voc2007.py')
    root = make_voc(str(tmp_path / 'VOC2007'))

    def browse(name, epoch):
        out = tmp_path / name
        code, log = run_tool([
            'tools/misc/browse_dataset.py', config, '--output-dir',
            str(out), '--num', '2', '--epoch',
            str(epoch), '--cfg-options',
            f'train_dataloader.dataset.data_root={root}'
        ])
        assert code == 0, log
        assert 'dog' in log
        files = sorted(p.name for p in out.glob('*.png'))
        assert files == ['0000.png', '0001.png']
        return [cv2.imread(str(out / f)) for f in files]

    first = browse('a', epoch=0)
    assert first[0].shape == (448, 448, 3)
    # The seeded random steps draw what training draws for (seed, epoch).
    again = browse('b', epoch=0)
    assert all(np.array_equal(x, y) for x, y in zip(first, again))
    other_epoch = browse('c', epoch=1)
    assert any(not np.array_equal(x, y) for x, y in zip(first, other_epoch))
