"""RandomColorCutout paints one clipped square of one colour."""
import numpy as np

from mlic.registry import TRANSFORMS


def test_random_color_cutout_paints_one_clipped_square(image):
    np.random.seed(3)
    out = TRANSFORMS.build(dict(type='RandomColorCutout',
                                scale=0.5))(dict(img=image.copy()))['img']
    changed = np.any(out != image, axis=2)
    ys, xs = np.nonzero(changed)
    assert ys.max() - ys.min() + 1 <= 21 and xs.max() - xs.min() + 1 <= 21
    colours = out[ys.min():ys.max() + 1, xs.min():xs.max() + 1].reshape(-1, 3)
    assert len(np.unique(colours, axis=0)) == 1  # one colour
