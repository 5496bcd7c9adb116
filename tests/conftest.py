import functools
import http.server
import inspect
import os.path as osp
import re
import sys
import threading

import pytest

from . import zoo_fixtures

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

#: Calls that start another process (a tool, a training run, a wheel
#: build). A test that makes one, in its own body or in a fixture it uses,
#: is marked ``slow`` (setup.cfg); so are the tests marked by hand.
STARTS_A_PROCESS = re.compile(r'\b(run_tool|run_shell|run_scenario|'
                              r'subprocess\.(run|Popen|check_call|'
                              r'check_output))\(')


def _starts_a_process(func) -> bool:
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):  # builtins, pytest's own fixtures
        return False
    return STARTS_A_PROCESS.search(source) is not None


def pytest_collection_modifyitems(config, items):
    for item in items:
        funcs = [getattr(item, 'function', None)]
        for fixturedefs in item._fixtureinfo.name2fixturedefs.values():
            funcs += [fixturedef.func for fixturedef in fixturedefs]
        if any(_starts_a_process(func) for func in funcs if func):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope='session')
def repo_root():
    return REPO_ROOT


@pytest.fixture(autouse=True, scope='session')
def _mlic_scope():
    from mlic import register_all_modules
    register_all_modules(init_default_scope=True)
    if REPO_ROOT not in sys.path:
        sys.path.insert(0, REPO_ROOT)


@pytest.fixture
def server(tmp_path):
    """(server, served folder, base URL) of a local HTTP server."""
    root = tmp_path / 'served'
    root.mkdir()
    handler = functools.partial(zoo_fixtures._Handler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    httpd.hits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, root, f'http://127.0.0.1:{httpd.server_address[1]}'
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty checkpoint cache (``$MLIC_HOME/checkpoints``)."""
    home = tmp_path / 'mlic_home'
    monkeypatch.setenv('MLIC_HOME', str(home))
    return home / 'checkpoints'


@pytest.fixture(scope='module')
def tiny_model():
    """A randomly initialised MultiDigits MLIC model (seed 0)."""
    import torch

    from mlic.apis import init_model
    torch.manual_seed(0)
    return init_model(zoo_fixtures.CONFIG)
