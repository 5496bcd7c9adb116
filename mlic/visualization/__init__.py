# mlic's own drawing helper, and mmpretrain's visualizers: importing them
# registers UniversalVisualizer and its backends in the parent registries
# that mlic's VISUALIZERS/VISBACKENDS fall back to.
import mmpretrain.visualization  # noqa: F401
from .draw import draw_text_lines

__all__ = ['draw_text_lines']
