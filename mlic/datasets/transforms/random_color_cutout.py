import numpy as np
from mmcv.transforms import BaseTransform

from mlic.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomColorCutout(BaseTransform):
    """Paint one square of a random colour at a random place
    (docs/method.md §3).

    The square's side is ``round(scale * width)`` (the reference uses the
    image width for both sides, i.e. a square on the square training
    images); its centre is uniform over the image, it is clipped at the
    borders, and its corners are inclusive as in PIL's ``rectangle``. One
    random RGB colour per image. mmpretrain's ``Cutout`` fills a fixed
    value and keeps the square inside the image, hence this transform.

    Required keys: ``img`` (H, W, 3) uint8. Modified keys: ``img``.

    Args:
        scale (float): Side as a fraction of the image width.
            Defaults to 0.5.
        prob (float): Probability of applying it. Defaults to 1.
    """

    def __init__(self, scale: float = 0.5, prob: float = 1.0):
        if not 0 < scale <= 1:
            raise ValueError(f'scale must be in (0, 1], got {scale}')
        self.scale = scale
        self.prob = prob

    def transform(self, results: dict) -> dict:
        if np.random.rand() >= self.prob:
            return results
        img = results['img']
        h, w = img.shape[:2]
        side_y = side_x = int(self.scale * w + 0.5)
        cy, cx = np.random.randint(h), np.random.randint(w)
        y1, y2 = np.clip([cy - side_y // 2, cy + side_y // 2], 0, h)
        x1, x2 = np.clip([cx - side_x // 2, cx + side_x // 2], 0, w)
        colour = np.random.randint(0, 256, size=3)
        img = img.copy() if not img.flags.writeable else img
        img[y1:y2 + 1, x1:x2 + 1] = colour.astype(img.dtype)
        results['img'] = img
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, '
                f'prob={self.prob})')
