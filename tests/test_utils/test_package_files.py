"""Where the shipped configs are: the source tree or mlic/.mim (the installed
case is tests/test_apis/test_installed_package.py)."""
import os.path as osp

import pytest

from mlic.utils.package_files import (SOURCE_ROOT, find_config,
                                      package_files_root)


def test_source_tree_is_the_root_of_a_checkout(repo_root):
    assert package_files_root() == SOURCE_ROOT == repo_root


def test_config_paths_resolve_from_any_directory(tmp_path, monkeypatch,
                                                 repo_root):
    local = tmp_path / 'mine.py'
    local.write_text('x = 1\n')
    monkeypatch.chdir(tmp_path)
    assert find_config('mine.py') == 'mine.py'  # what exists here wins
    assert find_config('configs/mlic/mlic_coco.py') == osp.join(
        repo_root, 'configs', 'mlic', 'mlic_coco.py')
    with pytest.raises(FileNotFoundError) as error:
        find_config('configs/mlic/nothing.py')
    assert str(tmp_path / 'configs' / 'mlic' / 'nothing.py') in str(
        error.value)
    assert osp.join(repo_root, 'configs', 'mlic',
                    'nothing.py') in str(error.value)
