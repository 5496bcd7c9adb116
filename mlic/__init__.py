from .utils.checkpoint import patch_mmengine_checkpoints
from .version import __version__

# From here on every checkpoint load through mmengine (resume, load_from,
# test, init_cfg 'Pretrained') is torch.load(weights_only=True) with mlic's
# allow-list, and the checkpoints mmengine saves stay loadable that way.
patch_mmengine_checkpoints()

__all__ = ['__version__']
