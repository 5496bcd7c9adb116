"""Runs the tests' tool command lines (``run_tool``) in processes forked from
one that has already imported the heavy third-party packages.

Starting a tool costs about 4 s on 2 cores before its first line runs
(torch, torchvision, mmengine's runner, mmcv, mmpretrain), and the suite
starts over a hundred of them. The server imports those packages once, then
for each request forks a child that is a fresh run of the script in every
respect the tests can see: its own process (and process group), working
directory, environment, ``sys.argv``, ``sys.path[0]`` (the script's folder),
``__main__`` module, stdout and stderr (one file, as ``run_tool`` merges
them), exit status, and its own atexit handlers. mlic itself and the tool
are imported by the child, so a tool's missing import still fails.

Only requests whose environment differs from the server's in
:data:`RUNTIME_ONLY_VARIABLES` are served (variables that the preloaded
packages read at import, such as ``OMP_NUM_THREADS``, must be the server's);
``run_tool`` starts any other command as a plain subprocess.

Protocol: one JSON request per line on stdin (``argv``, ``cwd``, ``env``,
``timeout``, ``out``), one JSON reply per line on stdout (``code``, or
``timeout``: true after the child's process group was killed).
"""
import json
import os
import sys
import time

#: Variables a request may change: read by mlic or the tools when they run,
#: not by the preloaded packages when imported.
RUNTIME_ONLY_VARIABLES = frozenset({
    'MLIC_HOME', 'PYTHONUNBUFFERED', 'MLIC_MMCV', 'COLUMNS',
    'PYTEST_CURRENT_TEST'
})

#: Imported once by the server. Each must import without a warning: a
#: warning printed at import would be missing from every served run's
#: output (mmpretrain.models warns about mmcv-lite, so the tools import it).
PRELOADED = ('numpy', 'cv2', 'torch', 'torchvision', 'mmengine',
             'mmengine.runner', 'mmcv', 'mmcv.transforms', 'mmpretrain',
             'mmpretrain.evaluation')


def _run_child(request):
    """In the forked child: become the tool's process; never returns."""
    code = 1
    try:
        os.setpgid(0, 0)
        os.chdir(request['cwd'])
        os.environ.clear()
        os.environ.update(request['env'])
        fd = os.open(request['out'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                     0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        import atexit
        import builtins
        import tempfile
        import tokenize
        import types
        tempfile.tempdir = None  # TMPDIR is read again on first use
        script = os.path.abspath(request['argv'][0])
        # as the interpreter sets them: argv[0] as given, __file__ absolute
        # (runpy.run_path would make both the same)
        sys.argv = list(request['argv'])
        sys.path[0] = os.path.dirname(script)
        main = types.ModuleType('__main__')
        main.__file__ = script
        main.__builtins__ = builtins
        sys.modules['__main__'] = main
        try:
            with tokenize.open(script) as f:  # honours a coding line
                source = f.read()
            exec(compile(source, script, 'exec'), main.__dict__)
            code = 0
        except SystemExit as exit_:
            if exit_.code is None:
                code = 0
            elif isinstance(exit_.code, int):
                code = exit_.code
            else:
                print(exit_.code, file=sys.stderr)
                code = 1
        except BaseException:  # as the interpreter would: trace, status 1
            import traceback
            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _wait(pid, timeout):
    """The child's exit status, or None after killing it at ``timeout``."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            try:
                os.killpg(pid, 9)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return None
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def serve():
    import importlib
    import threading
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        for name in PRELOADED:
            importlib.import_module(name)
    if caught:
        raise RuntimeError('a preloaded package warned on import (its runs '
                           f'would not show it): {caught[0]}')
    # fork() copies only the calling thread: a thread started by an import
    # (a pool, a watcher) would be missing, or hold a lock, in every child
    tasks = '/proc/self/task'  # Linux: every thread, not only Python's
    if threading.active_count() != 1 or (os.path.isdir(tasks)
                                         and len(os.listdir(tasks)) != 1):
        raise RuntimeError('the preloaded packages started threads; '
                           'the tool server cannot fork safely')
    replies = os.fdopen(os.dup(1), 'w', buffering=1)
    print(json.dumps(dict(ready=True)), file=replies)
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _run_child(request)
        code = _wait(pid, request['timeout'])
        reply = dict(timeout=True) if code is None else dict(code=code)
        print(json.dumps(reply), file=replies)


if __name__ == '__main__':
    serve()
