from .utils.checkpoint import patch_mmengine_checkpoint_loading
from .version import __version__

# Every checkpoint load through mmengine (resume, load_from, test, init_cfg
# 'Pretrained') goes through torch.load(weights_only=True) with mlic's
# allow-list from here on.
patch_mmengine_checkpoint_loading()

__all__ = ['__version__']
