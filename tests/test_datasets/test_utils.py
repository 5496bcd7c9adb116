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
                          ('MultiGlyphs', "'train' or 'test'")])
def test_unknown_split_is_named(tmp_path, type_, allowed):
    with pytest.raises(
            ValueError, match=f"{type_} split must be {allowed}, got 'val'"):
        build(type_, tmp_path / 'never_generated', split='val')
    assert not (tmp_path / 'never_generated').exists()
