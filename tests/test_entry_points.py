"""mlic-train / mlic-test run the shipped tools with a shipped config
resolved from any directory (source-tree case; the installed case is
tests/test_apis/test_installed_package.py)."""
import sys

import pytest

from mlic import entry_points


def test_train_runs_the_tool_with_the_resolved_config(monkeypatch, tmp_path,
                                                      repo_root, capsys):
    monkeypatch.chdir(tmp_path)
    ran = {}

    def fake_run_path(script, run_name):
        ran.update(script=script, argv=list(sys.argv), run_name=run_name)

    monkeypatch.setattr(entry_points.runpy, 'run_path', fake_run_path)
    monkeypatch.setattr(
        sys, 'argv',
        ['mlic-train', 'configs/mlic/mlic_multidigits.py', '--amp'])
    entry_points.train()
    assert ran['script'] == f'{repo_root}/tools/train.py'
    assert ran['argv'] == [
        f'{repo_root}/tools/train.py',
        f'{repo_root}/configs/mlic/mlic_multidigits.py', '--amp'
    ]
    assert ran['run_name'] == '__main__'


def test_a_missing_config_is_named(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, 'argv', ['mlic-test', 'nothing.py', 'x.pth'])
    with pytest.raises(FileNotFoundError, match='config not found'):
        entry_points.test()
