import json

import numpy as np
import pytest

from mlic.datasets import SingleGlyphs
from mlic.datasets import multi_glyphs as mg
from mlic.datasets import single_glyphs as sg

SMALL = dict(num_train=60, num_test=30, image_size=64, seed=0)


def test_one_glyph_per_scene_balanced_and_deterministic(tmp_path):
    a = SingleGlyphs(data_root=str(tmp_path / 'a'), split='train', **SMALL)
    b = SingleGlyphs(data_root=str(tmp_path / 'b'), split='train', **SMALL)
    labels = [a.get_cat_ids(i) for i in range(len(a))]
    assert all(len(c) == 1 for c in labels)
    counts = np.bincount([c[0] for c in labels], minlength=30)
    assert counts.tolist() == [2] * 30  # 60 scenes over 30 classes
    assert labels == [b.get_cat_ids(i) for i in range(len(b))]
    assert list(a.metainfo['classes']) == mg.CLASSES
    records = json.loads((tmp_path / 'a' / 'train_scenes.json').read_text())
    assert [[r[0]] for r in records] == labels
    test = SingleGlyphs(data_root=str(tmp_path / 'a'), split='test', **SMALL)
    assert len(test) == 30
    # the sample is a single-label target for a softmax head
    sample = a[0]
    assert list(sample['gt_label']) == labels[0]


def test_only_multiglyphs_training_glyphs_are_drawn(tmp_path, monkeypatch):
    # Stand-in glyph banks: training glyphs bright, test glyphs marked by a
    # value no training glyph has, so a drawn test glyph would show.
    train_bank = [np.full((3, 8, 8), 1.0, np.float32) for _ in range(30)]
    test_bank = [np.full((3, 8, 8), 0.5, np.float32) for _ in range(30)]
    asked = []

    def sources(seed):
        asked.append(seed)
        return dict(train=train_bank, test=test_bank)

    drawn = []
    real_render = mg.render_scene

    def render(rng, glyphs, objects, size):
        drawn.append(glyphs)
        return real_render(rng, glyphs, objects, size)

    monkeypatch.setattr(sg, 'glyph_sources', sources)
    monkeypatch.setattr(sg, 'render_scene', render)
    SingleGlyphs(data_root=str(tmp_path / 'x'), split='train', **SMALL)
    assert asked == [0]
    assert len(drawn) == 90 and all(g is train_bank for g in drawn)


def test_bad_arguments_name_the_value(tmp_path):
    with pytest.raises(ValueError, match="'train' or 'test', got 'val'"):
        SingleGlyphs(data_root=str(tmp_path), split='val')
    with pytest.raises(ValueError, match='image_size must be in'):
        SingleGlyphs(data_root=str(tmp_path), image_size=32)
