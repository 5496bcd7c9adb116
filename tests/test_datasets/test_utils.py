"""mlic.datasets.utils: the split check every dataset calls, and the
arguments that keep working."""
import pytest

from .raw_trees import build, make_coco, make_voc


def test_dataset_arguments_keep_working(tmp_path):
    root = make_coco(str(tmp_path))
    ds = build(
        'MSCOCO',
        root,
        split='train',
        indices=1,
        lazy_init=False,
        serialize_data=False)
    assert len(ds) == 1
    lazy = build(
        'VOC2007',
        make_voc(str(tmp_path / 'voc')),
        split='test',
        lazy_init=True)
    assert len(lazy) == 3


@pytest.mark.parametrize('type_,allowed',
                         [('MSCOCO', "'train' or 'test'"),
                          ('VOC2007', "'trainval' or 'test'"),
                          ('NUSWIDE', "'train' or 'test'"),
                          ('VG500', "'train' or 'test'"),
                          ('MultiDigits', "'train' or 'test'"),
                          ('MultiGlyphs', "'train' or 'val' or 'test'")])
def test_unknown_split_is_named(tmp_path, type_, allowed):
    with pytest.raises(
            ValueError,
            match=f"{type_} split must be {allowed}, got 'validation'"):
        build(type_, tmp_path / 'never_generated', split='validation')
    assert not (tmp_path / 'never_generated').exists()


def test_set_data_root_reaches_every_dataset_and_wrapped_ones():
    import os.path as osp

    from mmengine.config import Config

    from mlic.datasets.utils import set_data_root
    from ..test_tools.helpers import REPO_ROOT
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_voc2007.py'))
    assert set_data_root(cfg, '/data/VOC') == 3
    assert {
        cfg[k].dataset.data_root
        for k in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    } == {'/data/VOC'}
    wrapped = Config(
        dict(
            train_dataloader=dict(
                dataset=dict(
                    type='RepeatDataset',
                    times=2,
                    dataset=dict(type='VOC2007', data_root='old')))))
    assert set_data_root(wrapped, '/new') == 1
    inner = wrapped.train_dataloader.dataset
    assert inner.dataset.data_root == '/new' and 'data_root' not in inner
    with pytest.raises(KeyError, match='no train/val/test dataloader'):
        set_data_root(Config(dict(model=dict())), '/new')
