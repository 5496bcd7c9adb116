"""mlic: an OpenMMLab-style toolbox for multi-label image classification.

Importing mlic changes three things in mmengine 0.10.x (and nothing on other
versions, where it warns once; see ``mlic.utils.checkpoint``):

- every checkpoint mmengine loads from a local path or an http(s) URL
  (resume, ``load_from``, testing, ``init_cfg`` ``Pretrained``, the
  ``torchvision://`` and ``open-mmlab://`` schemes) goes through
  ``torch.load(weights_only=True)`` with mlic's allow-list;
- ``HistoryBuffer`` no longer pickles its statistics functions, so the
  checkpoints mmengine saves reload that way (mmengine restores the
  functions on load);
- nothing else: mlic's own components (``OneCycleLR``, hooks, backends) are
  registered in mlic's scope and used by its configs, not patched in.

With ``mmcv-lite`` (no compiled ops) it also hides mmcv's "Fail to import
``MultiScaleDeformableAttention``" warning, which every import of mmpretrain
prints there and which concerns an op mlic never uses.
"""
import importlib.util
import warnings

if importlib.util.find_spec('mmcv') is not None and \
        importlib.util.find_spec('mmcv._ext') is None:
    warnings.filterwarnings(
        'ignore',
        message='Fail to import ``MultiScaleDeformableAttention``',
        category=UserWarning)

from .setup_env import register_all_modules  # noqa: E402
from .utils.checkpoint import patch_mmengine_checkpoints  # noqa: E402
from .version import __version__  # noqa: E402

# From here on every checkpoint load through mmengine (resume, load_from,
# test, init_cfg 'Pretrained') is torch.load(weights_only=True) with mlic's
# allow-list, and the checkpoints mmengine saves stay loadable that way.
patch_mmengine_checkpoints()

__all__ = ['__version__', 'register_all_modules']
