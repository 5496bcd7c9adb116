import os
import os.path as osp
from typing import Sequence

import cv2
import numpy as np


def draw_text_lines(img: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """A copy of a BGR image with one text line per entry, top-left, white
    on a black outline so it reads on any background. Small images are
    upscaled first (at least 256 px wide) so the text stays legible."""
    img = np.ascontiguousarray(img)
    if img.shape[1] < 256:
        factor = int(np.ceil(256 / img.shape[1]))
        img = cv2.resize(
            img, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)
    else:
        img = img.copy()
    scale = max(img.shape[1] / 640, 0.45)
    step = int(24 * scale) + 6
    for i, text in enumerate(lines):
        origin = (6, step * (i + 1))
        cv2.putText(img, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(img, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (255, 255, 255), 1, cv2.LINE_AA)
    return img


def save_png(path: str, img: np.ndarray) -> None:
    """Write a BGR image as a PNG at zlib level 9 (about a third of
    OpenCV's default size for these drawings), creating the folder; raise
    ``OSError`` naming the path when it cannot be written (``cv2.imwrite``
    only returns False)."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    if not cv2.imwrite(path, img, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise OSError(f'could not write the image {path}')


def overlay_heatmap(img: np.ndarray, heat: np.ndarray) -> np.ndarray:
    """A (h, w) map in [0, 1] blended half and half, as a JET colour map,
    onto a BGR image of any size (the map is resized to the image)."""
    heat = cv2.resize(
        heat.astype(np.float32), (img.shape[1], img.shape[0]),
        interpolation=cv2.INTER_LINEAR)
    colour = cv2.applyColorMap((np.clip(heat, 0, 1) * 255).astype(np.uint8),
                               cv2.COLORMAP_JET)
    return cv2.addWeighted(img, 0.5, colour, 0.5, 0)


def side_by_side(images: Sequence[np.ndarray], gap: int = 12) -> np.ndarray:
    """BGR images in a row on white, top-aligned."""
    height = max(img.shape[0] for img in images)
    width = sum(img.shape[1] for img in images) + gap * (len(images) - 1)
    canvas = np.full((height, width, 3), 255, np.uint8)
    x = 0
    for img in images:
        canvas[:img.shape[0], x:x + img.shape[1]] = img
        x += img.shape[1] + gap
    return canvas
