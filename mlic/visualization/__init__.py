# mlic has no visualizer of its own: importing mmpretrain's registers
# UniversalVisualizer and its backends in the parent registries that mlic's
# VISUALIZERS/VISBACKENDS fall back to.
import mmpretrain.visualization  # noqa: F401
