from typing import Optional, Sequence

import cv2
import numpy as np


def draw_matrix_heatmap(matrix: np.ndarray,
                        names: Sequence[str],
                        cell: int = 18,
                        title: Optional[str] = None,
                        vmax: Optional[float] = None) -> np.ndarray:
    """A labelled heatmap of a (C, C) matrix as a BGR image.

    Drawn with OpenCV's viridis colour map rather than matplotlib, which
    mlic does not depend on. Rows and columns are labelled with ``names``;
    a colour bar from 0 to ``vmax`` (the matrix maximum by default) sits on
    the right.

    Args:
        matrix (ndarray): (C, C) values >= 0.
        names (sequence[str]): C short label names.
        cell (int): Cell side in px. Defaults to 18.
        title (str, optional): Text above the matrix.
        vmax (float, optional): Value of the brightest colour.

    Returns:
        ndarray: (H, W, 3) uint8 image.
    """
    matrix = np.asarray(matrix, np.float64)
    num = matrix.shape[0]
    if matrix.shape != (num, len(names)):
        raise ValueError(f'matrix of shape {matrix.shape} does not fit '
                         f'{len(names)} names')
    vmax = float(matrix.max()) if vmax is None else vmax
    scaled = np.clip(matrix / max(vmax, 1e-12), 0, 1)
    cells = cv2.applyColorMap((scaled * 255).astype(np.uint8),
                              cv2.COLORMAP_VIRIDIS)
    cells = cv2.resize(
        cells, (num * cell, num * cell), interpolation=cv2.INTER_NEAREST)
    font, scale = cv2.FONT_HERSHEY_SIMPLEX, cell / 40
    label_w = max(cv2.getTextSize(n, font, scale, 1)[0][0] for n in names) + 8
    top = label_w + (28 if title else 0)
    bar_w = 70
    canvas = np.full((top + num * cell + 8, label_w + num * cell + bar_w, 3),
                     255, np.uint8)
    canvas[top:top + num * cell, label_w:label_w + num * cell] = cells
    for i, name in enumerate(names):
        (w, h), _ = cv2.getTextSize(name, font, scale, 1)
        y = top + i * cell + (cell + h) // 2
        cv2.putText(canvas, name, (label_w - w - 4, y), font, scale, (0, 0, 0),
                    1, cv2.LINE_AA)
        # Column names written vertically: draw, then rotate a strip.
        strip = np.full((h + 6, label_w, 3), 255, np.uint8)
        cv2.putText(strip, name, (label_w - w - 4, h + 2), font, scale,
                    (0, 0, 0), 1, cv2.LINE_AA)
        strip = cv2.rotate(strip, cv2.ROTATE_90_COUNTERCLOCKWISE)
        x = label_w + i * cell + (cell - strip.shape[1]) // 2
        canvas[top - label_w:top, max(x, 0):max(x, 0) + strip.shape[1]] = \
            strip
    bar = np.linspace(255, 0, num * cell).astype(np.uint8)[:, None]
    bar = cv2.applyColorMap(np.repeat(bar, 14, 1), cv2.COLORMAP_VIRIDIS)
    x0 = label_w + num * cell + 8
    canvas[top:top + num * cell, x0:x0 + 14] = bar
    for value, y in ((vmax, top + 10), (0.0, top + num * cell)):
        cv2.putText(canvas, f'{value:.2g}', (x0 + 18, y), font, 0.4, (0, 0, 0),
                    1, cv2.LINE_AA)
    if title:
        cv2.putText(canvas, title, (6, 20), font, 0.5, (0, 0, 0), 1,
                    cv2.LINE_AA)
    return canvas
