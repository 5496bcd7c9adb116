# mlic's own drawing helpers, and mmpretrain's visualizers: importing them
# registers UniversalVisualizer and its backends in the parent registries
# that mlic's VISUALIZERS/VISBACKENDS fall back to.
import mmpretrain.visualization  # noqa: F401

from .draw import draw_text_lines, overlay_heatmap, save_png, side_by_side
from .heatmap import draw_matrix_heatmap

__all__ = [
    'draw_text_lines', 'draw_matrix_heatmap', 'overlay_heatmap', 'save_png',
    'side_by_side'
]
