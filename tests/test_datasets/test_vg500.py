"""VG500 from its raw layout: lookup order and errors."""
import os.path as osp

import pytest

from .raw_trees import build, make_vg500, samples


def test_vg500_lookup_order_and_errors(tmp_path):
    root = make_vg500(str(tmp_path))
    train = build('VG500', root, split='train')
    assert len(train.metainfo['classes']) == 500
    got = samples(train)
    assert [s['gt_label'] for s in got] == [[3, 499], [0]]
    assert got[0]['img_path'] == osp.join(root, 'VG_100K', '1.jpg')
    assert got[1]['img_path'] == osp.join(root, 'VG_100K_2', '2.jpg')
    test = build('VG500', root, split='test')
    assert test.get_data_info(0)['img_path'] == osp.join(
        root, 'VG_100K', '3.jpg')

    with open(osp.join(root, 'ssgrl_partition', 'test_list_500.txt'),
              'w') as f:
        f.write('3.jpg\n4.jpg\n')
    with pytest.raises(KeyError, match="line 2: '4.jpg' has no entry"):
        build('VG500', root, split='test')
