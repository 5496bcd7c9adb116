"""draw_text_lines: a legible copy; the input is left as it was. save_png:
written, or an error naming the path."""
import cv2
import numpy as np
import pytest

from mlic.visualization import draw_text_lines, save_png


def test_text_is_drawn_on_an_upscaled_copy():
    img = np.full((64, 64, 3), 128, np.uint8)
    out = draw_text_lines(img, ['cat 0.91', 'dog 0.40'])
    assert out.shape == (256, 256, 3)  # upscaled 4x to reach 256 px
    assert (img == 128).all()  # input untouched
    top, bottom = out[:80], out[80:]
    assert (top == 255).any() and (top == 0).any()  # white on black outline
    assert (bottom == 128).all()  # nothing below the two lines


def test_large_images_keep_their_size():
    img = np.zeros((300, 400, 3), np.uint8)
    out = draw_text_lines(img, [])
    assert out.shape == img.shape and out is not img
    assert np.array_equal(out, img)


def test_save_png_writes_and_names_a_bad_path(tmp_path):
    img = np.zeros((8, 8, 3), np.uint8)
    img[2:5] = 200
    path = tmp_path / 'sub' / 'x.png'
    save_png(str(path), img)
    assert np.array_equal(cv2.imread(str(path)), img)
    (tmp_path / 'a_file').write_text('')
    with pytest.raises(OSError, match='a_file'):
        save_png(str(tmp_path / 'a_file' / 'x.png'), img)
