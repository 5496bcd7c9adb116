"""An installed (not editable) mlic has its model zoo, configs and tools:
a real wheel install into a temporary directory, used from elsewhere."""
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LEFT_OUT = shutil.ignore_patterns('.git', 'data', 'work_dirs', 'benchmarks',
                                  'build', '*.egg-info', '.mim', '*.pth',
                                  '__pycache__', '.pytest_cache')


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """(site dir holding only mlic, a directory outside the sources)."""
    tmp = tmp_path_factory.mktemp('installed')
    source = tmp / 'source'  # a copy: building writes build/ and mlic/.mim
    shutil.copytree(REPO_ROOT, source, ignore=LEFT_OUT)
    site = tmp / 'site'
    subprocess.run([
        sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
        '--no-build-isolation', '--no-index', '--target',
        str(site),
        str(source)
    ],
                   check=True,
                   capture_output=True)
    elsewhere = tmp / 'elsewhere'
    elsewhere.mkdir()
    return site, elsewhere


def run(installed, args):
    site, elsewhere = installed
    env = dict(os.environ, PYTHONPATH=str(site))
    return subprocess.run(
        args, cwd=elsewhere, env=env, capture_output=True, text=True)


def test_wheel_ships_configs_tools_and_model_index(installed):
    site, _ = installed
    mim = site / 'mlic' / '.mim'
    assert (mim / 'model-index.yml').is_file()
    assert (mim / 'configs' / 'mlic' / 'mlic_coco.py').is_file()
    assert (mim / 'configs' / '_base_' / 'datasets' / 'coco.py').is_file()
    assert (mim / 'tools' / 'train.py').is_file()
    assert sorted(p.name for p in site.iterdir()
                  if not p.name.endswith('.dist-info')) == ['bin', 'mlic']


def test_zoo_works_from_the_installed_package(installed):
    site, _ = installed
    code = '\n'.join([
        'import mlic',
        "from mlic.apis import get_model, list_models",
        "from mlic.apis.model_zoo import zoo_entry",
        'print(mlic.__file__)',
        'print(",".join(list_models()))',
        'print(zoo_entry("mlic_multidigits")["Config"])',
        'model = get_model("mlic_multidigits", pretrained=False)',
        'print(type(model).__name__, model.head.num_classes)',
    ])
    result = run(installed, [sys.executable, '-c', code])
    assert result.returncode == 0, result.stderr
    package, names, config, model = result.stdout.strip().splitlines()[-4:]
    assert package == str(site / 'mlic' / '__init__.py')
    assert {'mlic_coco', 'mlic_voc2007',
            'mlic_multidigits'} <= set(names.split(','))
    assert config == str(site / 'mlic' / '.mim' / 'configs' / 'mlic' /
                         'mlic_multidigits.py')
    assert model == 'MLICClassifier 10'


def test_entry_points_run_the_shipped_tools_and_find_configs(installed):
    site, elsewhere = installed
    code = ('from mlic.utils.package_files import find_config; '
            'print(find_config("configs/mlic/mlic_voc2007.py"))')
    result = run(installed, [sys.executable, '-c', code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(
        site / 'mlic' / '.mim' / 'configs' / 'mlic' / 'mlic_voc2007.py')

    result = run(installed, [str(site / 'bin' / 'mlic-train'), '--help'])
    assert result.returncode == 0, result.stderr
    assert '--resume' in result.stdout and '--amp' in result.stdout

    result = run(
        installed,
        [str(site / 'bin' / 'mlic-test'), 'configs/mlic/nothing.py', 'x.pth'])
    assert result.returncode != 0
    assert 'config not found' in result.stderr
    assert str(elsewhere / 'configs' / 'mlic' / 'nothing.py') in result.stderr
