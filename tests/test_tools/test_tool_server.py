"""tests/test_tools/tool_server.py: a served run is the run a user gets, as
far as a test can see (status, output, folder, argv, environment,
``__main__``, a fresh mlic), and it refuses what it cannot serve."""
import subprocess
import sys

import pytest

from .helpers import _TOOL_SERVER, _tool_env, run_shell, run_tool

SCRIPT = '''import os, sys
print('argv', sys.argv)
print('cwd', os.getcwd())
print('path0', sys.path[0])
print('home', os.environ.get('MLIC_HOME'))
print('name', __name__, sys.modules['__main__'].__file__)
print('mlic_loaded', 'mlic' in sys.modules)
sys.stderr.write('to stderr\\n')
mode = sys.argv[1]
if mode == 'status':
    sys.exit(3)
if mode == 'message':
    sys.exit('stopped: a message')
if mode == 'raise':
    raise ValueError('a bad value')
if mode == 'sleep':
    import time
    time.sleep(30)
'''


@pytest.fixture
def script(tmp_path):
    if not _TOOL_SERVER.servable(_tool_env()):
        pytest.skip(f'tool server unavailable: {_TOOL_SERVER.unavailable}')
    folder = tmp_path / 'tools'
    folder.mkdir()
    path = folder / 'probe.py'
    path.write_text(SCRIPT)
    return path


def lines(out):
    return dict(line.split(' ', 1) for line in out.splitlines() if ' ' in line)


def test_served_run_has_its_own_folder_argv_env_and_main(
        script, tmp_path, monkeypatch):
    monkeypatch.setenv('MLIC_HOME', str(tmp_path / 'home'))
    assert _TOOL_SERVER.servable(_tool_env())
    code, out = run_tool(['tools/probe.py', 'status', 'x y'], cwd=tmp_path)
    assert code == 3, out
    seen = lines(out)
    assert seen['argv'] == "['tools/probe.py', 'status', 'x y']"
    assert seen['cwd'] == str(tmp_path)
    assert seen['path0'] == str(script.parent)
    assert seen['home'] == str(tmp_path / 'home')
    assert seen['name'] == f'__main__ {script}'
    assert seen['mlic_loaded'] == 'False'  # imported afresh by each tool
    assert 'to stderr' in out


@pytest.mark.parametrize('mode, code, text', [
    ('none', 0, 'to stderr'),
    ('message', 1, 'stopped: a message'),
    ('raise', 1, 'ValueError: a bad value'),
])
def test_exit_status_and_output_are_the_interpreters(script, tmp_path, mode,
                                                     code, text):
    served = run_tool(['tools/probe.py', mode], cwd=tmp_path)
    plain = subprocess.run([sys.executable, 'tools/probe.py', mode],
                           cwd=tmp_path,
                           stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT,
                           text=True)
    assert served[0] == plain.returncode == code, served[1]
    assert text in served[1] and text in plain.stdout
    if mode == 'raise':
        assert 'Traceback (most recent call last)' in served[1]


def test_a_run_past_its_timeout_is_killed(script, tmp_path):
    with pytest.raises(subprocess.TimeoutExpired):
        run_tool(['tools/probe.py', 'sleep'], cwd=tmp_path, timeout=2)
    code, out = run_tool(['tools/probe.py', 'none'], cwd=tmp_path)
    assert code == 0, out  # the server goes on serving


def test_import_time_variables_are_not_served(script):
    assert not _TOOL_SERVER.servable(_tool_env({'OMP_NUM_THREADS': '2'}))
    assert not _TOOL_SERVER.servable(
        dict(_tool_env(), PYTHONPATH='/elsewhere'))
    assert _TOOL_SERVER.servable(_tool_env({'MLIC_HOME': '/elsewhere'}))


def test_shell_syntax_goes_to_bash(script, tmp_path):
    code, out = run_shell('python tools/probe.py none > log.txt', tmp_path)
    assert code == 0 and out == 'to stderr\n'  # bash moved stdout only
    assert 'argv' in (tmp_path / 'log.txt').read_text()
    code, out = run_shell('python tools/probe.py none', tmp_path)
    assert code == 0 and 'argv' in out
