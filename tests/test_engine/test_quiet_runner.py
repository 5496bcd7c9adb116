"""QuietRunner: the processes and device instead of 'GPU number', the config
to the work dir unless print_config (a whole training run's log:
tests/test_tools/test_train_test_resume.py)."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger

from mlic.engine.runner import QuietRunner
from mlic.registry import RUNNERS
from ..test_tools.helpers import CONFIG


@pytest.mark.parametrize('print_config', [False, True])
def test_start_log_and_config_dump(tmp_path, monkeypatch, print_config):
    logged = []
    monkeypatch.setattr(MMLogger, 'info',
                        lambda self, msg, *a, **k: logged.append(str(msg)))
    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = str(tmp_path)
    cfg.print_config = print_config
    cfg.experiment_name = f'quiet_{print_config}'
    runner = RUNNERS.build(cfg)
    assert type(runner) is QuietRunner
    text = '\n'.join(logged)
    assert 'Processes: 1 (CPU)' in text and 'GPU number' not in text
    dumped = osp.join(str(tmp_path), 'mlic_multidigits.py')
    if print_config:
        assert 'Config:\n' in text and "runner_type = 'QuietRunner'" in text
    else:
        assert f'Config: {dumped}' in text
        assert "runner_type = 'QuietRunner'" not in text
        assert "runner_type = 'QuietRunner'" in open(dumped).read()


@pytest.mark.parametrize('keep', [False, True])
def test_keep_freed_host_memory_is_applied_from_the_config(
        tmp_path, monkeypatch, keep):
    calls = []
    # the runner applies it through the one module of runtime switches
    monkeypatch.setattr(
        'mlic.engine.runtime_switches.'
        'keep_freed_host_memory', lambda: calls.append(1))
    cfg = Config.fromfile(CONFIG)
    assert cfg.keep_freed_host_memory is True  # the default runtime's line
    cfg.keep_freed_host_memory = keep
    cfg.work_dir = str(tmp_path)
    cfg.experiment_name = f'malloc_{keep}'
    RUNNERS.build(cfg)
    assert calls == ([1] if keep else [])


def test_keep_freed_host_memory_sets_glibc_malloc(monkeypatch):
    """On glibc both mallopt calls succeed; elsewhere nothing is called."""
    import platform

    from mlic.engine.runner import host_memory
    if platform.system() == 'Linux' and platform.libc_ver()[0] == 'glibc':
        assert host_memory.keep_freed_host_memory() is True
    monkeypatch.setattr(platform, 'libc_ver', lambda: ('musl', '1.2'))
    monkeypatch.setattr(
        host_memory.ctypes, 'CDLL',
        lambda *a: pytest.fail('mallopt called on a non-glibc system'))
    assert host_memory.keep_freed_host_memory() is False
