import os
import os.path as osp
import subprocess
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_multidigits.py')


def tiny_multidigits_options(data_root, epochs=2, num_train=96, num_test=48):
    """--cfg-options that shrink the MultiDigits job to seconds."""
    opts = [
        f'train_cfg.max_epochs={epochs}', 'default_hooks.logger.interval=1'
    ]
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [
            f'{loader}.dataset.data_root={data_root}',
            f'{loader}.dataset.num_train={num_train}',
            f'{loader}.dataset.num_test={num_test}',
            f'{loader}.num_workers=0',
            f'{loader}.persistent_workers=False',
            f'{loader}.batch_size=16',
        ]
    return opts


def run_tool(args, cwd=REPO_ROOT, env=None, timeout=600):
    """Run a command from the repo root; fail with its output on error."""
    full_env = dict(os.environ)
    full_env['PYTHONPATH'] = REPO_ROOT + os.pathsep + full_env.get(
        'PYTHONPATH', '')
    full_env.setdefault('OMP_NUM_THREADS', '1')
    if env:
        full_env.update(env)
    if args[0].endswith('.py'):
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


def run_shell(text, cwd, env=None, timeout=900):
    """Run a command line as a page gives it (``bash -c``), with ``python``
    the interpreter running the tests; (exit status, stdout + stderr)."""
    full_env = dict(os.environ)
    full_env['PYTHONPATH'] = os.pathsep.join(
        filter(None, [REPO_ROOT, full_env.get('PYTHONPATH')]))
    full_env.setdefault('OMP_NUM_THREADS', '1')
    full_env['PATH'] = osp.dirname(sys.executable) + os.pathsep + \
        full_env.get('PATH', '')
    full_env.update(env or {})
    proc = subprocess.run(['bash', '-c', text],
                          cwd=cwd,
                          env=full_env,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=timeout)
    return proc.returncode, proc.stdout
