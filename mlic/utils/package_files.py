"""Where the configs, tools and model index that ship with mlic are.

An installed mlic carries them in ``mlic/.mim`` (copied there by
``setup.py`` when the wheel is built, the layout OpenMMLab's ``mim`` reads);
a source checkout, editable install included, has them at the repository
root, which wins when both exist: a ``.mim`` left in a checkout by an
earlier ``pip install .`` is a stale copy.
"""
import os.path as osp
from typing import Optional

PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
MIM_ROOT = osp.join(PACKAGE_DIR, '.mim')
SOURCE_ROOT = osp.dirname(PACKAGE_DIR)


def package_files_root() -> str:
    """The source tree above ``mlic/`` when it holds ``model-index.yml``,
    else ``mlic/.mim``.

    Raises:
        FileNotFoundError: neither holds ``model-index.yml``.
    """
    for root in (SOURCE_ROOT, MIM_ROOT):
        if osp.isfile(osp.join(root, 'model-index.yml')):
            return root
    raise FileNotFoundError(
        f'mlic ships no configs here: neither {MIM_ROOT} nor {SOURCE_ROOT} '
        'holds model-index.yml. Install mlic from a wheel or sdist '
        '(pip install mlic / pip install .), or from a source checkout '
        '(pip install -e .)')


def find_config(path: str) -> str:
    """``path`` as given when it exists, else the shipped file of that
    relative path (``configs/mlic/mlic_coco.py`` from any directory).

    Raises:
        FileNotFoundError: naming both places looked at.
    """
    if osp.isfile(path):
        return path
    shipped: Optional[str] = None
    if not osp.isabs(path):
        try:
            shipped = osp.join(package_files_root(), path)
        except FileNotFoundError:
            shipped = None
        if shipped is not None and osp.isfile(shipped):
            return shipped
    looked = f' nor {shipped}' if shipped else ''
    raise FileNotFoundError(f'config not found: {osp.abspath(path)}'
                            f'{looked} (the configs mlic ships)')
