"""ReferenceRandAugment and its operations: shapes, level scales, PIL
parity."""
import numpy as np
import pytest

from mlic.datasets.transforms import OPERATIONS


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
