from typing import Callable, Dict

import cv2
import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from mlic.registry import TRANSFORMS

GREY = (128, 128, 128)


def _levels(start: float, end: float) -> np.ndarray:
    """The reference's 10-level scale from ``start`` to ``end``."""
    return np.linspace(start, end, 10)


def _signed(value: float) -> float:
    return value if np.random.rand() < 0.5 else -value


# PIL-equivalent versions of four operations with OpenCV lookup tables and
# filters: mmcv's versions compute histograms and blends in numpy and are
# 5-20x slower, which made them the bulk of the augmentation time.
def _lut(img: np.ndarray, tables: np.ndarray) -> np.ndarray:
    """Apply one 256-entry table per channel; ``tables`` is (3, 256)."""
    lut = np.ascontiguousarray(tables.T.reshape(256, 1, 3), dtype=np.uint8)
    return cv2.LUT(img, lut)


def _histograms(img: np.ndarray) -> np.ndarray:
    return np.stack([
        cv2.calcHist([img], [c], None, [256], [0, 256]).ravel()
        for c in range(3)
    ]).astype(np.int64)  # (3, 256)


def auto_contrast(img: np.ndarray) -> np.ndarray:
    """PIL ``ImageOps.autocontrast`` (cutoff 0) per channel."""
    tables = np.tile(np.arange(256, dtype=np.float64), (3, 1))
    for c, hist in enumerate(_histograms(img)):
        nonzero = np.flatnonzero(hist)
        lo, hi = nonzero[0], nonzero[-1]
        if hi > lo:
            scale = 255.0 / (hi - lo)
            tables[c] = np.clip(
                (np.arange(256) * scale - lo * scale).astype(np.int64), 0, 255)
    return _lut(img, tables)


def equalize(img: np.ndarray) -> np.ndarray:
    """PIL ``ImageOps.equalize`` per channel."""
    tables = np.tile(np.arange(256, dtype=np.int64), (3, 1))
    for c, hist in enumerate(_histograms(img)):
        used = hist[hist > 0]
        step = (used.sum() - used[-1]) // 255 if len(used) else 0
        if step:
            cum = np.concatenate(([0], np.cumsum(hist)[:-1]))
            tables[c] = np.minimum((cum + step // 2) // step, 255)
    return _lut(img, tables)


def contrast(img: np.ndarray, factor: float) -> np.ndarray:
    """PIL ``ImageEnhance.Contrast``: mean + factor * (img - mean), the mean
    being that of the grey image."""
    mean = int(cv2.mean(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))[0] + 0.5)
    return cv2.addWeighted(img, factor, img, 0.0, (1.0 - factor) * mean)


_SMOOTH = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], np.float32) / 13


def sharpness(img: np.ndarray, factor: float) -> np.ndarray:
    """PIL ``ImageEnhance.Sharpness`` (SMOOTH filter, borders kept)."""
    degenerate = cv2.filter2D(img, -1, _SMOOTH)
    degenerate[0], degenerate[-1] = img[0], img[-1]
    degenerate[:, 0], degenerate[:, -1] = img[:, 0], img[:, -1]
    # PIL's blend: degenerate + factor * (img - degenerate), saturated.
    return cv2.addWeighted(img, factor, degenerate, 1.0 - factor, 0.0)


def _enhance(fn: Callable) -> Callable:
    # enhance factor 1 ± (0 -> 0.9), sign random
    return lambda img, level: fn(img, 1.0 + _signed(_levels(0, 0.9)[level]))


def _cutout(img: np.ndarray, level: int) -> np.ndarray:
    side = int(round(_levels(0, 20)[level]))
    if side == 0:
        return img
    h, w = img.shape[:2]
    cy, cx = np.random.randint(h), np.random.randint(w)
    y1, y2 = max(cy - side // 2, 0), min(cy + side - side // 2, h)
    x1, x2 = max(cx - side // 2, 0), min(cx + side - side // 2, w)
    img = img.copy()
    img[y1:y2, x1:x2] = GREY
    return img


#: The 15 operations of the reference's RandAugment (the ``randaugment``
#: 1.0.2 package of the ASL code base), on BGR uint8 images: mmcv's image
#: functions, and the four OpenCV versions above. ``level`` is 1..9.
OPERATIONS: Dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    'Invert':
    lambda img, level: mmcv.iminvert(img),
    'Cutout':
    _cutout,
    'Sharpness':
    _enhance(sharpness),
    'AutoContrast':
    lambda img, level: auto_contrast(img),
    'Posterize':
    lambda img, level: mmcv.posterize(img, int(round(_levels(8, 4)[level]))),
    'ShearX':
    lambda img, level: mmcv.imshear(img, _signed(_levels(0, 0.3)[level]),
                                    'horizontal', GREY, 'nearest'),
    'ShearY':
    lambda img, level: mmcv.imshear(img, _signed(_levels(0, 0.3)[level]),
                                    'vertical', GREY, 'nearest'),
    'TranslateX':
    lambda img, level: mmcv.imtranslate(
        img,
        _signed(_levels(0, 150 / 331)[level]) * img.shape[1], 'horizontal',
        GREY, 'nearest'),
    'TranslateY':
    lambda img, level: mmcv.imtranslate(
        img,
        _signed(_levels(0, 150 / 331)[level]) * img.shape[0], 'vertical', GREY,
        'nearest'),
    # PIL rotates counter-clockwise for positive angles, mmcv clockwise.
    'Rotate':
    lambda img, level: mmcv.imrotate(
        img,
        -_levels(0, 30)[level],
        border_value=GREY,
        interpolation='nearest'),
    'Equalize':
    lambda img, level: equalize(img),
    'Contrast':
    _enhance(contrast),
    'Color':
    _enhance(lambda img, f: mmcv.adjust_color(img, alpha=f)),
    'Solarize':
    lambda img, level: mmcv.solarize(img,
                                     _levels(256, 0)[level]),
    'Brightness':
    _enhance(lambda img, f: mmcv.adjust_brightness(img, f)),
}


@TRANSFORMS.register_module()
class ReferenceRandAugment(BaseTransform):
    """RandAugment as the MLIC reference applies it (docs/method.md §3).

    Per image: draw ``num_ops`` (2) operations independently and uniformly
    from the 15 of :data:`OPERATIONS`, each with an integer level uniform in
    1..9 of a 10-level scale, and apply each with probability ``prob``
    (0.5), first then second. Value ranges: shear 0->0.3 and translate
    0->150/331 of the size (random sign, grey fill), rotate 0->30 degrees
    (grey fill), colour/contrast/sharpness/brightness factor 1 ± 0->0.9
    (random sign), posterize 8->4 bits, solarize threshold 256->0, cutout
    a grey square of 0->20 px.

    Differences from the reference, all deliberate: images are BGR arrays
    processed with mmcv/OpenCV instead of PIL (pixel values can differ by
    rounding; colour uses the same luma weights on the right channels),
    shear/translate/rotate use nearest-neighbour sampling like PIL's
    default, and randomness comes from numpy (seeded per worker by
    mmengine). mmpretrain's ``RandAugment`` draws continuous magnitudes and
    other ranges, hence this transform.

    Required keys: ``img`` (H, W, 3) uint8 BGR. Modified keys: ``img``.

    Args:
        num_ops (int): Operations per image. Defaults to 2.
        prob (float): Probability of applying each drawn one.
            Defaults to 0.5.
    """

    def __init__(self, num_ops: int = 2, prob: float = 0.5):
        self.num_ops = num_ops
        self.prob = prob
        self.names = list(OPERATIONS)

    def transform(self, results: dict) -> dict:
        img = results['img']
        ops = np.random.randint(len(self.names), size=self.num_ops)
        levels = np.random.randint(1, 10, size=self.num_ops)
        for op, level in zip(ops, levels):
            if np.random.rand() < self.prob:
                img = OPERATIONS[self.names[op]](img, int(level))
        results['img'] = np.ascontiguousarray(img, dtype=np.uint8)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_ops={self.num_ops}, '
                f'prob={self.prob})')
