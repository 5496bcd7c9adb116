"""Install script of mlic.

mmcv: MLIC needs none of mmcv's compiled CUDA/C++ ops, so by default we depend
on the ``mmcv-lite`` wheel (same ``mmcv`` import name, no compilation). A GPU
user who already has full ``mmcv`` 2.x installed (for example for mmdetection)
installs with ``MLIC_MMCV=full pip install -e .``: the requirement then becomes
``mmcv`` and pip keeps the existing full build instead of overwriting its files
with the lite ones. The choice is read from the environment because an
isolated PEP 517 build cannot see which packages the target environment has.
"""
import os
import os.path as osp
import shutil
import sys
from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))

#: Shipped inside the package as mlic/.mim/..., as OpenMMLab packages do, so
#: that an installed (not editable) mlic has its model zoo and configs.
MIM_FILES = ('configs', 'tools', 'model-index.yml')

MMCV_REQUIREMENTS = {
    'lite': 'mmcv-lite>=2.0.0,<2.3.0',
    'full': 'mmcv>=2.0.0,<2.3.0',
}


def read_requirements(name):
    with open(osp.join(HERE, 'requirements', name)) as f:
        return [
            line.strip() for line in f
            if line.strip() and not line.startswith('#')
        ]


def mmcv_requirement():
    flavour = os.environ.get('MLIC_MMCV', 'lite')
    if flavour not in MMCV_REQUIREMENTS:
        raise ValueError(f'MLIC_MMCV={flavour!r} is not one of '
                         f'{sorted(MMCV_REQUIREMENTS)}')
    return MMCV_REQUIREMENTS[flavour]


def add_mim_extension():
    """Copy ``MIM_FILES`` into ``mlic/.mim`` when a wheel or an sdist is
    built (``pip install .``, ``python -m build``).

    The same route as mmpretrain's ``setup.py``, with one difference: an
    editable install gets no ``.mim`` (mmpretrain symlinks it for
    ``setup.py develop``, which PEP 660 editable installs no longer call);
    ``mlic.apis.model_zoo`` then reads the source tree directly.
    """
    if not {'bdist_wheel', 'sdist', 'build', 'build_py'} & set(sys.argv):
        return
    mim_path = osp.join(HERE, 'mlic', '.mim')
    if osp.isdir(osp.join(HERE, 'configs')):
        shutil.rmtree(mim_path, ignore_errors=True)
        os.makedirs(mim_path)
        for name in MIM_FILES:
            src, dst = osp.join(HERE, name), osp.join(mim_path, name)
            if osp.isdir(src):
                shutil.copytree(
                    src, dst, ignore=shutil.ignore_patterns('__pycache__'))
            else:
                shutil.copyfile(src, dst)


def get_version():
    scope = {}
    with open(osp.join(HERE, 'mlic', 'version.py')) as f:
        exec(compile(f.read(), 'mlic/version.py', 'exec'), scope)
    return scope['__version__']


add_mim_extension()
setup(
    name='mlic',
    version=get_version(),
    description='OpenMMLab-style toolbox for multi-label image '
    'classification, built around MLIC (contrastive co-occurrence learning)',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=('mlic', 'mlic.*')),
    include_package_data=True,  # mlic/.mim, listed in MANIFEST.in
    entry_points={
        'console_scripts': [
            'mlic-train = mlic.entry_points:train',
            'mlic-test = mlic.entry_points:test',
        ]
    },
    python_requires='>=3.9',  # torch >= 2.5 needs 3.9
    install_requires=read_requirements('runtime.txt') + [mmcv_requirement()],
    extras_require={
        'tests': read_requirements('tests.txt'),
        'lint': read_requirements('lint.txt'),
        'deploy': read_requirements('deploy.txt'),
        'vis': read_requirements('vis.txt'),
        'demo': read_requirements('demo.txt'),
    },
    license='Apache License 2.0',
    zip_safe=False,
)
