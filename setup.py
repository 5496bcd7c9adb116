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
from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))

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


def get_version():
    scope = {}
    with open(osp.join(HERE, 'mlic', 'version.py')) as f:
        exec(compile(f.read(), 'mlic/version.py', 'exec'), scope)
    return scope['__version__']


setup(
    name='mlic',
    version=get_version(),
    description='OpenMMLab-style toolbox for multi-label image '
    'classification, built around MLIC (contrastive co-occurrence learning)',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'demo')),
    include_package_data=True,
    python_requires='>=3.9',  # torch >= 2.5 needs 3.9
    install_requires=read_requirements('runtime.txt') + [mmcv_requirement()],
    extras_require={
        'tests': read_requirements('tests.txt'),
        'lint': read_requirements('lint.txt'),
    },
    license='Apache License 2.0',
    zip_safe=False,
)
