import numpy as np
import pytest

from mlic.datasets.transforms import OPERATIONS
from mlic.registry import TRANSFORMS


@pytest.fixture
def image():
    return np.random.default_rng(0).integers(
        0, 256, (40, 40, 3), dtype=np.uint8)


def test_random_color_cutout_paints_one_clipped_square(image):
    np.random.seed(3)
    out = TRANSFORMS.build(dict(type='RandomColorCutout',
                                scale=0.5))(dict(img=image.copy()))['img']
    changed = np.any(out != image, axis=2)
    ys, xs = np.nonzero(changed)
    assert ys.max() - ys.min() + 1 <= 21 and xs.max() - xs.min() + 1 <= 21
    colours = out[ys.min():ys.max() + 1, xs.min():xs.max() + 1].reshape(-1, 3)
    assert len(np.unique(colours, axis=0)) == 1  # one colour


@pytest.mark.parametrize('name', sorted(OPERATIONS))
@pytest.mark.parametrize('level', [1, 5, 9])
def test_every_operation_keeps_shape_and_dtype(image, name, level):
    out = OPERATIONS[name](image.copy(), level)
    assert out.shape == image.shape and out.dtype == np.uint8


def test_operation_values_follow_the_level_scales(image):
    np.testing.assert_array_equal(OPERATIONS['Invert'](image, 4), 255 - image)
    # posterize 8 -> 4 bits: level 9 keeps 4 bits
    assert (OPERATIONS['Posterize'](image, 9) % 16 == 0).all()
    # solarize threshold 256 -> 0: level 9 is ~0, every pixel inverted
    np.testing.assert_array_equal(OPERATIONS['Solarize'](image, 9),
                                  255 - image)
    grey = np.full_like(image, 100)
    # rotate fills with grey 128 at the corners
    assert (OPERATIONS['Rotate'](grey, 9)[0, 0] == 128).all()


def test_reference_rand_augment_draws_two_ops_with_levels_1_to_9(
        image, monkeypatch):
    calls = []
    import mlic.datasets.transforms.reference_rand_augment as ra
    fake = {
        name: (lambda n: lambda img, level: calls.append(
            (n, level)) or img)(name)
        for name in ra.OPERATIONS
    }
    monkeypatch.setattr(ra, 'OPERATIONS', fake)
    aug = ra.ReferenceRandAugment(num_ops=2, prob=1.0)
    np.random.seed(0)
    for _ in range(300):
        aug(dict(img=image))
    assert len(calls) == 600
    levels = {level for _, level in calls}
    assert levels == set(range(1, 10))
    assert {name for name, _ in calls} == set(ra.OPERATIONS)

    calls.clear()
    half = ra.ReferenceRandAugment(num_ops=2, prob=0.5)
    for _ in range(500):
        half(dict(img=image))
    assert 400 < len(calls) < 600  # about half of 1000 drawn ops


@pytest.mark.parametrize('name', ['auto_contrast', 'equalize'])
def test_fast_histogram_ops_match_pil(image, name):
    from PIL import Image, ImageOps

    import mlic.datasets.transforms.reference_rand_augment as ra
    img = (image // 2 + 40).astype(np.uint8)  # a narrow range to stretch
    ours = getattr(ra, name)(img)
    pil_fn = ImageOps.autocontrast if name == 'auto_contrast' else \
        ImageOps.equalize
    # PIL works on RGB; the ops are per channel, so order does not matter.
    theirs = np.asarray(pil_fn(Image.fromarray(img[..., ::-1])))[..., ::-1]
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize('factor', [0.3, 1.7])
def test_fast_enhance_ops_match_pil(image, factor):
    from PIL import Image, ImageEnhance

    import mlic.datasets.transforms.reference_rand_augment as ra
    pil = Image.fromarray(image[..., ::-1].copy())
    for ours, enhancer in ((ra.contrast, ImageEnhance.Contrast),
                           (ra.sharpness, ImageEnhance.Sharpness)):
        theirs = np.asarray(enhancer(pil).enhance(factor))[..., ::-1]
        diff = np.abs(ours(image, factor).astype(int) - theirs)
        assert diff.max() <= 1  # PIL rounds in fixed point


def test_checked_loader_refuses_truncated_and_garbage_images(tmp_path):
    import cv2

    from mlic.datasets.transforms import UnreadableImageError
    good = tmp_path / 'good.jpg'
    cv2.imwrite(str(good), np.full((60, 80, 3), 90, np.uint8))
    data = good.read_bytes()
    (tmp_path / 'cut.jpg').write_bytes(data[:-200])
    (tmp_path / 'junk.png').write_bytes(b'not an image')
    load = TRANSFORMS.build(dict(type='CheckedLoadImageFromFile'))
    assert load(dict(img_path=str(good)))['img'].shape == (60, 80, 3)
    for name in ('cut.jpg', 'junk.png', 'missing.jpg'):
        with pytest.raises(UnreadableImageError, match=name):
            load(dict(img_path=str(tmp_path / name)))

    skip = TRANSFORMS.build(
        dict(type='CheckedLoadImageFromFile', skip_unreadable=True))
    assert skip(dict(img_path=str(tmp_path / 'cut.jpg'))) is None
    assert skip(dict(img_path=str(tmp_path / 'junk.png'))) is None
    assert skip.num_skipped == 2


def test_checked_loader_names_empty_files_and_skips_them(tmp_path):
    from mlic.datasets.transforms import UnreadableImageError
    (tmp_path / 'empty.png').write_bytes(b'')
    load = TRANSFORMS.build(dict(type='CheckedLoadImageFromFile'))
    with pytest.raises(
            UnreadableImageError, match=r'empty.png: the file is empty'):
        load(dict(img_path=str(tmp_path / 'empty.png')))
    skip = TRANSFORMS.build(
        dict(type='CheckedLoadImageFromFile', skip_unreadable=True))
    assert skip(dict(img_path=str(tmp_path / 'empty.png'))) is None
    assert skip.num_skipped == 1


def test_checked_loader_accepts_bytes_after_the_jpeg_end(tmp_path):
    import cv2
    image = np.random.default_rng(0).integers(0, 255, (40, 50, 3), np.uint8)
    data = cv2.imencode('.jpg', image)[1].tobytes()
    # Camera firmware and editors append data after the end marker; and a
    # thumbnail's own end marker must not hide a cut main image.
    (tmp_path / 'tail.jpg').write_bytes(data + bytes(range(256)) * 20)
    load = TRANSFORMS.build(dict(type='CheckedLoadImageFromFile'))
    out = load(dict(img_path=str(tmp_path / 'tail.jpg')))['img']
    np.testing.assert_array_equal(
        out, cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR))

    from mlic.datasets.transforms.checked_load_image import jpeg_is_complete
    sos = data.find(b'\xff\xda')
    exif_thumb = data[:2] + b'\xff\xe1\x00\x06\xff\xd9\xff\xd9' + data[2:]
    assert jpeg_is_complete(exif_thumb)
    assert not jpeg_is_complete(exif_thumb[:sos + 8 + 100])


def test_checked_loader_refuses_oversized_images_before_decoding(
        tmp_path, monkeypatch):
    import cv2
    import mmcv

    from mlic.datasets.transforms import UnreadableImageError
    cv2.imwrite(str(tmp_path / 'big.png'), np.zeros((300, 400, 3), np.uint8))
    decoded = []
    real = mmcv.imfrombytes
    monkeypatch.setattr(mmcv, 'imfrombytes',
                        lambda *a, **k: decoded.append(1) or real(*a, **k))
    load = TRANSFORMS.build(
        dict(type='CheckedLoadImageFromFile', max_pixels=256 * 256))
    with pytest.raises(
            UnreadableImageError,
            match=r'big.png: 400 x 300 pixels is over the limit '
            r'of 65536'):
        load(dict(img_path=str(tmp_path / 'big.png')))
    assert not decoded
    no_limit = TRANSFORMS.build(
        dict(type='CheckedLoadImageFromFile', max_pixels=None))
    assert no_limit(dict(img_path=str(tmp_path / 'big.png')))['img'].shape \
        == (300, 400, 3)
