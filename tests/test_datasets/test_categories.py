"""The built-in label lists: sizes, uniqueness and the reference's order."""
import pytest

from mlic.datasets import categories


@pytest.mark.parametrize('name,size,first,last', [
    ('COCO_CATEGORIES', 80, 'person', 'toothbrush'),
    ('VOC2007_CATEGORIES', 20, 'aeroplane', 'tvmonitor'),
])
def test_label_lists_have_their_size_and_order(name, size, first, last):
    names = getattr(categories, name)
    assert len(names) == size == len(set(names))
    assert (names[0], names[-1]) == (first, last)


def test_vg500_list_has_500_distinct_names():
    names = categories.VG500_CATEGORIES
    assert len(names) == len(set(names)) == 500
    assert all(isinstance(n, str) and n == n.strip() and n for n in names)
