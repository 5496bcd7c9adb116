"""draw_matrix_heatmap: the cells follow the matrix; bad shapes are named."""
import numpy as np
import pytest

from mlic.visualization.heatmap import draw_matrix_heatmap


def test_brighter_cells_for_larger_values():
    matrix = np.array([[0., 1], [2, 4]])
    img = draw_matrix_heatmap(matrix, ['a', 'b'], cell=20, title='t')
    assert img.dtype == np.uint8 and img.ndim == 3
    # Viridis: 0 is dark purple, the maximum bright yellow; find the cells
    # by their colours in the image.
    dark = np.all(img == img.min(axis=(0, 1)), axis=2).sum()
    yellowish = (img[..., 1].astype(int) + img[..., 2] > 400).sum()
    assert dark > 0 and yellowish >= 20 * 20


def test_shape_mismatch_is_named():
    with pytest.raises(ValueError, match=r'shape \(2, 2\) does not fit 3'):
        draw_matrix_heatmap(np.zeros((2, 2)), ['a', 'b', 'c'])
