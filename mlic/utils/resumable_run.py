import os
import os.path as osp
import shutil
import subprocess
import time
from typing import Dict, List, Optional, Tuple


def run_resumable_training(
        train_cmd: List[str],
        run_dir: str,
        log_path: str,
        env: Optional[Dict[str, str]] = None) -> Tuple[float, bool]:
    """Run one ``tools/train.py`` command into ``run_dir``, resuming it when
    an earlier attempt was interrupted after a checkpoint.

    What the benchmark tools (``compare_methods.py``,
    ``multiglyphs_protocol.py``) share: a campaign spans sessions that end
    mid-run. When ``run_dir`` holds mmengine's ``last_checkpoint`` and the
    earlier attempt's log exists, ``--resume`` is added (``train.py`` then
    continues exactly from the newest intact checkpoint, optimiser, EMA,
    loss buffers and RNG states included) and the log is appended to; else
    ``run_dir`` is emptied and the run starts afresh with a new log. mmengine
    alone has the resume; which attempt to resume, and the log, are the
    tools' business, so this is not in mmengine.

    Args:
        train_cmd (list[str]): ``[python, tools/train.py, CONFIG,
            --work-dir, run_dir, ...]`` without ``--resume``.
        run_dir (str): The run's work dir.
        log_path (str): Where the run's stdout and stderr go.
        env (dict, optional): The training process's environment (for
            example ``OMP_NUM_THREADS``); this process's by default.

    Returns:
        tuple: (wall seconds of this attempt, whether it resumed).

    Raises:
        RuntimeError: The training exited with an error; names the log.
    """
    resume = osp.isfile(osp.join(run_dir, 'last_checkpoint')) and \
        osp.isfile(log_path)
    if not resume and osp.isdir(run_dir):
        shutil.rmtree(run_dir)
    os.makedirs(run_dir, exist_ok=True)
    cmd = list(train_cmd)
    if resume:
        # before --cfg-options, whose values run to the end of the line
        at = cmd.index('--cfg-options') if '--cfg-options' in cmd \
            else len(cmd)
        cmd.insert(at, '--resume')
    print(f'[{run_dir}] {" ".join(cmd)}', flush=True)
    start = time.perf_counter()
    with open(log_path, 'a' if resume else 'w') as log:
        code = subprocess.call(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    wall_s = time.perf_counter() - start
    if code != 0:
        raise RuntimeError(f'training failed (exit {code}); see {log_path}')
    return wall_s, resume
