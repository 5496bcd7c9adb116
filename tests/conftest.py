import os.path as osp
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='session')
def repo_root():
    return REPO_ROOT


@pytest.fixture(autouse=True, scope='session')
def _mlic_scope():
    from mlic.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    if REPO_ROOT not in sys.path:
        sys.path.insert(0, REPO_ROOT)
