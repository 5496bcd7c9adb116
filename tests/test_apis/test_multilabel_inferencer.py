"""MultiLabelInferencer: folders, globs, arrays; batches and workers; bad
images reported, not fatal; thresholds, per-label JSON and top-k."""
import cv2
import numpy as np
import pytest
import torch

from mlic.apis import MultiLabelInferencer, inference_model, list_images
from mlic.evaluation.functional import save_thresholds
from ..zoo_fixtures import CONFIG


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    """A folder of 4 readable images (one in a subfolder, one JPEG), a
    corrupt JPEG and an empty PNG."""
    root = tmp_path_factory.mktemp('images')
    (root / 'sub').mkdir()
    rng = np.random.default_rng(0)
    paths = [
        root / 'a.png', root / 'b.png', root / 'sub' / 'c.png', root / 'd.jpg'
    ]
    for path in paths:
        cv2.imwrite(str(path), rng.integers(0, 255, (64, 64, 3), np.uint8))
    (root /
     'corrupt.jpg').write_bytes(b'\xff\xd8' +
                                bytes(rng.integers(0, 255, 300, np.uint8)))
    (root / 'empty.png').write_bytes(b'')
    (root / 'notes.txt').write_text('not an image')
    return root


@pytest.fixture(scope='module')
def inferencer(tiny_model, tmp_path_factory):
    ckpt = tmp_path_factory.mktemp('ckpt') / 'digits.pth'
    torch.save(dict(state_dict=tiny_model.state_dict()), str(ckpt))
    return MultiLabelInferencer(CONFIG, str(ckpt), device='cpu')


def test_folders_are_searched_recursively_in_order(images):
    names = [p.replace(str(images) + '/', '') for p in list_images(images)]
    assert names == [
        'a.png', 'b.png', 'corrupt.jpg', 'd.jpg', 'empty.png', 'sub/c.png'
    ]
    assert list_images(str(images / '*.png')) == [
        str(images / 'a.png'),
        str(images / 'b.png'),
        str(images / 'empty.png')
    ]
    with pytest.raises(FileNotFoundError, match='no file matches'):
        list_images(str(images / '*.gif'))
    with pytest.raises(FileNotFoundError, match='no such image'):
        list_images(str(images / 'missing.png'))


def test_bad_images_are_reported_and_the_rest_predicted(
        inferencer, images, tiny_model, capfd):
    results = inferencer(str(images), batch_size=2, threshold=0.0)
    by_name = {r['img_path'].rsplit('/', 1)[-1]: r for r in results}
    assert list(by_name) == [
        'a.png', 'b.png', 'corrupt.jpg', 'd.jpg', 'empty.png', 'c.png'
    ]
    for name in ('corrupt.jpg', 'empty.png'):
        bad = by_name[name]
        assert name in bad['error'] and bad['pred_scores'] is None
        assert bad['pred_labels'] == [] == bad['pred_classes']
    assert 'empty (0 bytes)' in by_name['empty.png']['error']
    err = capfd.readouterr().err
    assert 'corrupt.jpg' in err and 'empty.png' in err
    # The same scores as inference_model, one image at a time.
    for name in ('a.png', 'd.jpg', 'c.png'):
        r = by_name[name]
        assert r['error'] is None
        single = inference_model(tiny_model, r['img_path'], threshold=0.0)
        np.testing.assert_allclose(
            r['pred_scores'], single['pred_scores'], atol=1e-6)
        assert r['pred_labels'] == single['pred_labels']  # threshold 0: all
        assert r['pred_classes'] == [str(i) for i in r['pred_labels']]


def test_batches_workers_and_arrays_give_the_same_scores(inferencer, images):
    paths = [str(images / n) for n in ('a.png', 'b.png', 'd.jpg')]
    inferencer.num_workers = 0
    one_by_one = inferencer(paths, batch_size=1)
    inferencer.num_workers = 2
    batched = inferencer(paths + [cv2.imread(paths[0])], batch_size=2)
    for a, b in zip(one_by_one + one_by_one[:1], batched):
        np.testing.assert_allclose(
            a['pred_scores'], b['pred_scores'], atol=1e-6)
    assert batched[-1]['img_path'] is None


def test_arrays_are_converted_as_image_files_are_read(inferencer):
    """Grey, BGRA, 16-bit and [0, 1] float arrays give the scores of the
    uint8 BGR image OpenCV would read from such a file; bad arrays are
    per-item errors beside good images."""
    scene = cv2.imread('demo/demo.png')
    grey = cv2.cvtColor(scene, cv2.COLOR_BGR2GRAY)
    grey_bgr = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    bgra = np.concatenate([scene, np.full_like(scene[..., :1], 7)], axis=2)
    # a 16-bit image whose high byte is the scene, low byte noise
    noise = np.random.default_rng(0).integers(0, 256, scene.shape)
    wide = (scene.astype(np.uint16) << 8) | noise.astype(np.uint16)
    floats = scene / 255.0
    results = inferencer([
        scene, grey_bgr, grey, grey[..., None], bgra, wide, floats,
        np.zeros((0, 5, 3), np.uint8), floats * 255,
        scene.astype(np.int32), scene[..., :2]
    ],
                         batch_size=4)
    expected = {0: 0, 1: 1, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0}
    for index, same_as in expected.items():
        assert results[index]['error'] is None, results[index]['error']
        np.testing.assert_allclose(
            results[index]['pred_scores'],
            results[same_as]['pred_scores'],
            atol=1e-6,
            err_msg=f'input {index}')
    assert 'empty (shape (0, 5, 3))' in results[7]['error']
    assert 'must hold values in [0, 1], got [0, ' in results[8]['error']
    assert 'got int32' in results[9]['error']
    assert 'got shape (64, 64, 2)' in results[10]['error']
    assert all(r['pred_scores'] is None for r in results[7:])


def test_thresholds_per_label_json_and_topk(inferencer, images, tmp_path):
    path = str(images / 'a.png')
    scores = inferencer(path, threshold=0.0)[0]['pred_scores']
    # a per-label threshold just above/below each score selects labels 0-4
    per_label = np.where(np.arange(10) < 5, scores - 1e-4, scores + 1e-4)
    save_thresholds(str(tmp_path / 't.json'), per_label, inferencer.classes)
    for threshold in (per_label, str(tmp_path / 't.json')):
        got = inferencer(path, threshold=threshold)[0]
        assert sorted(got['pred_labels']) == [0, 1, 2, 3, 4]
        assert got['pred_labels'] == sorted(
            got['pred_labels'], key=lambda i: -scores[i])
    top = inferencer(path, topk=3)[0]
    assert top['pred_labels'] == list(np.argsort(-scores)[:3])
    with pytest.raises(ValueError, match=r'topk must be in \[1, 10\]'):
        inferencer(path, topk=11)


def test_inputs_of_other_sizes_are_resized_as_in_training(inferencer):
    assert inferencer.input_size == (64, 64)
    scene = cv2.imread('demo/demo.png')
    assert scene.shape == (64, 64, 3)
    upscaled = cv2.resize(scene, (256, 256), interpolation=cv2.INTER_NEAREST)
    photo = cv2.resize(scene, (640, 480), interpolation=cv2.INTER_LINEAR)
    at_64, at_256, at_640 = (
        r['pred_scores']
        for r in inferencer([scene, upscaled, photo], batch_size=3))
    # bilinear 4x down-sampling of a 4x nearest up-sampling gives the same
    # pixels; rows at other batch positions may round differently (3e-8)
    np.testing.assert_allclose(at_64, at_256, atol=1e-6)
    # a smooth 640 x 480 copy comes back close to the scene
    assert np.abs(at_640 - at_64).max() < 0.02


def test_glob_does_not_follow_symlinked_folders(tmp_path):
    """Two symlink loops under a ** pattern: glob.glob would list for ever;
    list_images returns each real file once, symlinked files included."""
    import glob as std_glob

    from mlic.apis.multilabel_inferencer import glob_files, list_images
    root = tmp_path / 'f'
    (root / 'a' / 'b').mkdir(parents=True)
    (root / '.hidden').mkdir()
    for rel in ('x.png', 'a/y.png', 'a/b/z.png', 'a/b/q1.png', '.hidden/h.png',
                '.dot.png', 'a/w.jpg'):
        (root / rel).write_bytes(b'')
    patterns = [
        'f/**/*.png', 'f/*.png', 'f/**', 'f/a/*/*.png', 'f/**/q[12].png',
        'f/**/q[!1].png', 'f/?/*.png', 'f/.*.png', 'none/*.png'
    ]
    import os
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for pattern in patterns:  # the same answers as glob without loops
            expected = sorted(
                p for p in std_glob.glob(pattern, recursive=True)
                if os.path.isfile(p))
            assert glob_files(pattern) == expected, pattern
        os.symlink('..', root / 'a' / 'loop_up')  # a/loop_up -> f
        os.symlink('.', root / 'a' / 'b' / 'loop_self')
        os.symlink('y.png', root / 'a' / 'link.png')  # a symlinked file
        found = list_images('f/**/*.png')
        assert found == sorted([
            'f/a/b/q1.png', 'f/a/b/z.png', 'f/a/link.png', 'f/a/y.png',
            'f/x.png'
        ])
        with pytest.raises(
                ValueError, match=r'f/\*\*/\*\.png matches more '
                'than 2 files'):
            glob_files('f/**/*.png', limit=2)
    finally:
        os.chdir(cwd)
