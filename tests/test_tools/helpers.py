import os
import os.path as osp
import re
import subprocess
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_multidigits.py')


def loader_options(data_root=None,
                   num_train=None,
                   num_test=None,
                   batch=16,
                   epochs=None):
    """--cfg-options that shrink a job: no loader workers, ``batch`` images
    a batch, a log line every iteration; with ``epochs``, that many; with
    ``num_train``, a generated dataset (MultiDigits, MultiGlyphs) of that
    size under ``data_root``."""
    opts = [] if epochs is None else [f'train_cfg.max_epochs={epochs}']
    opts.append('default_hooks.logger.interval=1')
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if num_train is not None:
            opts += [
                f'{loader}.dataset.data_root={data_root}',
                f'{loader}.dataset.num_train={num_train}',
                f'{loader}.dataset.num_test={num_test}',
            ]
        opts += [
            f'{loader}.num_workers=0',
            f'{loader}.persistent_workers=False',
            f'{loader}.batch_size={batch}',
        ]
    return opts


def tiny_multidigits_options(data_root, epochs=2, num_train=96, num_test=48):
    """--cfg-options that shrink the MultiDigits job to seconds."""
    return loader_options(data_root, num_train, num_test, epochs=epochs)


def _tool_env(env=None):
    """This environment with the checkout importable, one OpenMP thread
    unless set, and ``env`` on top."""
    full_env = dict(os.environ)
    full_env['PYTHONPATH'] = os.pathsep.join(
        filter(None, [REPO_ROOT, full_env.get('PYTHONPATH')]))
    full_env.setdefault('OMP_NUM_THREADS', '1')
    full_env.update(env or {})
    return full_env


class _ToolServer:
    """This test process's client of ``tool_server.py`` (started on first
    use, one per pytest-xdist worker); see that module for what a served
    run shares with a plain one."""

    def __init__(self):
        self.proc = None
        self.env = None
        #: why the server could not start (then every run is a subprocess)
        self.unavailable = None

    def _start(self):
        import atexit
        import json
        self.env = _tool_env()
        self.proc = subprocess.Popen([
            sys.executable,
            osp.join(osp.dirname(__file__), 'tool_server.py')
        ],
                                     cwd=REPO_ROOT,
                                     env=self.env,
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     text=True)
        atexit.register(self.proc.stdin.close)
        ready = self.proc.stdout.readline()
        if not ready or not json.loads(ready).get('ready'):
            raise RuntimeError('tests/test_tools/tool_server.py did not '
                               'start; its error is above')

    def servable(self, full_env) -> bool:
        from .tool_server import RUNTIME_ONLY_VARIABLES
        if self.env is None:
            try:
                self._start()
            except (RuntimeError, OSError, ValueError) as error:
                # the tools still run, as plain subprocesses: slower, and
                # said once (test_tool_server.py is skipped with the reason)
                import warnings
                self.unavailable = str(error)
                warnings.warn(f'tool server unavailable: {error}')
        if self.unavailable:
            return False
        changed = {
            k
            for k in set(full_env) | set(self.env)
            if full_env.get(k) != self.env.get(k)
        }
        return changed <= RUNTIME_ONLY_VARIABLES

    def run(self, args, cwd, full_env, timeout):
        """(exit status, stdout + stderr) of ``python args[0] args[1:]``."""
        import json
        import tempfile
        fd, out = tempfile.mkstemp(prefix='mlic_tool_', suffix='.log')
        os.close(fd)
        try:
            request = dict(
                argv=list(map(str, args)),
                cwd=str(cwd),
                env=full_env,
                timeout=timeout,
                out=out)
            self.proc.stdin.write(json.dumps(request) + '\n')
            self.proc.stdin.flush()
            reply = self.proc.stdout.readline()
            if not reply:
                raise RuntimeError('the tool server stopped (exit status '
                                   f'{self.proc.wait()})')
            reply = json.loads(reply)
            with open(out) as f:  # as subprocess.run(text=True) decodes
                output = f.read()
        finally:
            os.remove(out)
        if reply.get('timeout'):
            raise subprocess.TimeoutExpired(args, timeout, output=output)
        return reply['code'], output


_TOOL_SERVER = _ToolServer()


def run_tool(args, cwd=REPO_ROOT, env=None, timeout=600):
    """Run a command from the repo root; fail with its output on error.
    A Python script runs in a process forked from ``tool_server.py`` when
    its environment allows (the same run, without re-importing torch and
    the OpenMMLab packages); anything else as a subprocess."""
    full_env = _tool_env(env)
    if args[0].endswith('.py'):
        if _TOOL_SERVER.servable(full_env):
            return _TOOL_SERVER.run(args, cwd, full_env, timeout)
        args = [sys.executable] + args
    proc = subprocess.run(
        args,
        cwd=cwd,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout)
    return proc.returncode, proc.stdout


#: What makes a command line more than ``python SCRIPT.py WORD ...`` for
#: bash: quotes, globs, expansions, redirections, pipes, lists, lines.
SHELL_SYNTAX = re.compile(r'[\'"\\*?\[\]{}$`|&;<>()~#\n]')


def run_shell(text, cwd, env=None, timeout=900):
    """Run a command line as a page gives it (``bash -c``), with ``python``
    the interpreter running the tests; (exit status, stdout + stderr).
    ``python SCRIPT.py`` and plain words, which bash would pass on as they
    are, go to :func:`run_tool` (the tool server) instead."""
    words = text.split()
    if (len(words) > 1 and words[0] == 'python' and words[1].endswith('.py')
            and not SHELL_SYNTAX.search(text)):
        return run_tool(words[1:], cwd=cwd, env=env, timeout=timeout)
    path = osp.dirname(sys.executable) + os.pathsep + os.environ.get(
        'PATH', '')
    full_env = _tool_env(dict(dict(PATH=path), **(env or {})))
    proc = subprocess.run(['bash', '-c', text],
                          cwd=cwd,
                          env=full_env,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=timeout)
    return proc.returncode, proc.stdout


#: A config over a benchmark config (``base``, relative to configs/) that
#: reads ``list.txt``/``labels.txt`` under ``root`` with the base's test
#: pipeline, in every split, without loader workers.
LIST_DATASET_CONFIG = """_base_ = ['{repo}/configs/{base}']
_data = dict(
    _delete_=True,
    type='LabelListDataset',
    data_root='{root}',
    ann_file='list.txt',
    label_file='labels.txt',
    pipeline={{{{_base_.test_pipeline}}}})
train_dataloader = dict(dataset=_data, num_workers=0, persistent_workers=False)
val_dataloader = dict(dataset=_data, num_workers=0, persistent_workers=False)
test_dataloader = val_dataloader
"""


def list_dataset_config(base: str, root: str) -> str:
    """:data:`LIST_DATASET_CONFIG` for ``base`` and ``root``."""
    return LIST_DATASET_CONFIG.format(repo=REPO_ROOT, base=base, root=root)


def write_page_file(folder, name, body):
    """A ``# file:`` block of a doc page, written under ``folder`` with
    ``{REPO}`` (the page's placeholder for the checkout) filled in."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body.replace('{REPO}', REPO_ROOT))
    return path


def run_page_commands(commands, cwd, options=()):
    """A doc page's commands as written (``{REPO}`` filled in), one after
    the other from ``cwd``, each with ``--cfg-options options`` appended;
    fails naming the command that failed. Returns their outputs."""
    outputs = []
    for command in commands:
        command = command.replace('{REPO}', REPO_ROOT)
        if options:
            command += ' --cfg-options ' + ' '.join(options)
        code, out = run_shell(command, cwd=str(cwd))
        assert code == 0, f'{command}\n{out[-3000:]}'
        outputs.append(out)
    return outputs
