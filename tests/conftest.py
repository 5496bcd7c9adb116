import functools
import http.server
import inspect
import os
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


@functools.lru_cache(maxsize=None)  # a fixture serves many tests
def _starts_a_process(func) -> bool:
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):  # builtins, pytest's own fixtures
        return False
    return STARTS_A_PROCESS.search(source) is not None


def pytest_configure(config):
    # Under pytest-xdist each of the (cpu count) workers computes with one
    # thread, as the tools it starts do (tests/test_tools/helpers.py):
    # two OpenMP teams of two threads on two cores spin against each other
    # and run several times slower than one thread each.
    if os.environ.get('PYTEST_XDIST_WORKER'):
        os.environ.setdefault('OMP_NUM_THREADS', '1')
        import torch
        torch.set_num_threads(1)


def _module_of(item) -> str:
    return item.nodeid.split('::')[0]


# tryfirst: pytest-xdist's own hook reads the xdist_group marks added here
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    slow_modules = set()
    for item in items:
        starters = [
            fixturedef
            for fixturedefs in item._fixtureinfo.name2fixturedefs.values()
            for fixturedef in fixturedefs if _starts_a_process(fixturedef.func)
        ]
        function = getattr(item, 'function', None)
        if starters or (function and _starts_a_process(function)):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker('slow'):
            slow_modules.add(_module_of(item))
        if any(fixturedef.scope != 'function' for fixturedef in starters):
            # a process-starting fixture wider than one test (a training
            # run its module shares): one xdist worker makes it once
            item.add_marker(pytest.mark.xdist_group(_module_of(item)))
    # Modules with slow tests first (a stable sort, so a module's tests stay
    # together and its fixtures are made once): the two workers then end
    # on short tests instead of one of them waiting for a long one.
    items.sort(key=lambda item: _module_of(item) not in slow_modules)


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
