import hashlib
import json
import os

import numpy as np
import pytest

from mlic.datasets import MultiGlyphs
from mlic.datasets import multi_glyphs as mg

SMALL = dict(num_train=24, num_test=12, image_size=64, seed=3)


def folder_digest(root):
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, root).encode())
            with open(path, 'rb') as f:
                digest.update(f.read())
    return digest.hexdigest()


def test_generation_is_deterministic_and_complete(tmp_path):
    a, b = tmp_path / 'a', tmp_path / 'b'
    MultiGlyphs(data_root=str(a), split='train', **SMALL)
    MultiGlyphs(data_root=str(b), split='test', **SMALL)
    assert folder_digest(a) == folder_digest(b)
    c = tmp_path / 'c'
    MultiGlyphs(data_root=str(c), split='train', **dict(SMALL, seed=4))
    assert folder_digest(a) != folder_digest(c)
    # No temporary sibling folder is left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a', 'b', 'c']

    train = MultiGlyphs(data_root=str(a), split='train', **SMALL)
    assert len(train) == 24
    assert list(train.metainfo['classes']) == mg.CLASSES
    assert len(mg.CLASSES) == 30
    records = json.loads((a / 'train_scenes.json').read_text())
    for i, record in enumerate(records):
        labels = sorted({obj[0] for obj in record['objects']})
        assert train.get_cat_ids(i) == labels
        assert 1 <= len(record['objects']) <= mg.MAX_OBJECTS
        assert record['theme'] in mg.THEMES
        for _, _, x, y, side, _ in record['objects']:
            assert mg.GLYPH_SIZE_RANGE[0] <= side <= mg.GLYPH_SIZE_RANGE[1]
            assert 0 <= x <= 64 - side and 0 <= y <= 64 - side


def test_other_parameters_in_the_folder_are_refused(tmp_path):
    MultiGlyphs(data_root=str(tmp_path / 'g'), **SMALL)
    with pytest.raises(ValueError, match='was generated with'):
        MultiGlyphs(data_root=str(tmp_path / 'g'), **dict(SMALL, seed=9))
    (tmp_path / 'other').mkdir()
    (tmp_path / 'other' / 'x.txt').write_text('x')
    with pytest.raises(FileExistsError, match='not a MultiGlyphs folder'):
        MultiGlyphs(data_root=str(tmp_path / 'other'), **SMALL)
    with pytest.raises(ValueError, match='image_size'):
        MultiGlyphs(
            data_root=str(tmp_path / 'h'), **dict(SMALL, image_size=32))


def test_train_and_test_glyphs_are_disjoint():
    sources = mg.glyph_sources(seed=0)
    for label, name in enumerate(mg.CLASSES):
        train = {g.tobytes() for g in sources['train'][label]}
        test = {g.tobytes() for g in sources['test'][label]}
        assert train and test, name
        assert not train & test, f'{name}: a test glyph is a train glyph'
    # Letters: 126 train and 54 test glyphs each, all 8 x 8 in [0, 1].
    letters = sources['train'][mg.CLASSES.index('A')]
    assert letters.shape == (mg.LETTER_GLYPHS['train'], 8, 8)
    assert letters.min() >= 0 and letters.max() == 1


def test_theme_statistics_match_the_documented_rules():
    rng = np.random.default_rng(0)
    draws = [mg.draw_scene_objects(rng) for _ in range(4000)]
    index = {n: i for i, n in enumerate(mg.CLASSES)}
    label_sets = [{obj[0] for obj in objects} for _, objects in draws]
    counts = np.array([len(objects) for _, objects in draws])
    assert counts.min() == 1 and counts.max() == mg.MAX_OBJECTS

    for a, b in mg.NEVER_PAIRS:
        assert not any(index[a] in s and index[b] in s for s in label_sets)
    for a, b in mg.BOUND_PAIRS:
        with_a = [s for s in label_sets if index[a] in s]
        together = sum(index[b] in s for s in with_a) / len(with_a)
        assert together > 0.8, (a, b, together)

    # Objects drawn from outside their theme: OUTSIDE_SHARE of the drawn
    # objects, plus bound partners that the theme does not hold.
    outside = np.mean([o[1] for _, objects in draws for o in objects])
    assert mg.OUTSIDE_SHARE - 0.02 < outside < mg.OUTSIDE_SHARE + 0.08

    # Within a theme, the in-theme objects follow the theme's weights.
    theme = list(mg.THEMES).index('counting')
    weights = mg.THEMES['counting']
    inside = [
        o[0] for t, objects in draws if t == theme for o in objects if not o[1]
    ]
    freq = np.bincount(inside, minlength=30) / len(inside)
    expected = np.zeros(30)
    for name, w in weights.items():
        expected[index[name]] = w
    expected /= expected.sum()
    # Bound partners (3 -> 7) are added on top of the weights; compare the
    # shares among the labels no bound pair touches.
    free = [index[n] for n in ('0', '1', '2', '4')]
    share, want = freq[free] / freq[free].sum(
    ), expected[free] / expected[free].sum()
    assert np.abs(share - want).max() < 0.03, (share, want)


def test_broken_theme_tables_are_refused(monkeypatch):
    themes = dict(mg.THEMES, broken={'0': 1, 'O': 1})
    monkeypatch.setattr(mg, 'THEMES', themes)
    with pytest.raises(ValueError, match='never-pair 0/O'):
        mg.check_themes()


def test_validation_split_is_carved_from_train_and_disjoint(tmp_path):
    root = str(tmp_path / 'mg')
    full = MultiGlyphs(data_root=root, split='train', **SMALL)
    train = MultiGlyphs(data_root=root, split='train', num_val=6, **SMALL)
    val = MultiGlyphs(data_root=root, split='val', num_val=6, **SMALL)
    test = MultiGlyphs(data_root=root, split='test', num_val=6, **SMALL)
    paths = {
        name: [ds.get_data_info(i)['img_path'] for i in range(len(ds))]
        for name, ds in (('full', full), ('train', train), ('val', val),
                         ('test', test))
    }
    assert (len(train), len(val), len(test)) == (18, 6, 12)
    assert not set(paths['train']) & set(paths['val'])
    assert not (set(paths['train']) | set(paths['val'])) & set(paths['test'])
    # together they are the generated training scenes, labels kept
    assert paths['train'] + paths['val'] == paths['full']
    assert [val.get_cat_ids(i) for i in range(6)] == \
        [full.get_cat_ids(18 + i) for i in range(6)]
    # the carve-out is no generation parameter: the files are the same
    assert json.loads((tmp_path / 'mg' / 'meta.json').read_text()) == \
        mg._params(24, 12, 64, 3)


def test_validation_split_arguments_are_checked(tmp_path):
    root = str(tmp_path / 'mg')
    with pytest.raises(ValueError, match='needs num_val > 0'):
        MultiGlyphs(data_root=root, split='val', **SMALL)
    with pytest.raises(ValueError, match=r'num_val must be in \[0, '):
        MultiGlyphs(data_root=root, split='train', num_val=24, **SMALL)
    with pytest.raises(ValueError, match="'train' or 'val' or 'test'"):
        MultiGlyphs(data_root=root, split='trainval', **SMALL)
