"""run_resumable_training: an interrupted run resumes, anything else starts
afresh, a failure names its log."""
import os
import os.path as osp
import sys

import pytest

from mlic.utils import run_resumable_training

# Stands in for tools/train.py: prints its arguments; without --resume it
# leaves a checkpoint marker behind, as a run stopped after an epoch would.
FAKE_TRAIN = r'''
import os, sys
args = sys.argv[1:]
work_dir = args[args.index('--work-dir') + 1]
print('ARGS', ' '.join(args))
if '--resume' not in args:
    open(os.path.join(work_dir, 'last_checkpoint'), 'w').write('epoch_1.pth')
sys.exit(int(os.environ.get('FAKE_TRAIN_EXIT', '0')))
'''


def train_cmd(run_dir):
    return [
        sys.executable, '-c', FAKE_TRAIN, '--work-dir', run_dir,
        '--cfg-options', 'randomness.seed=0'
    ]


def test_a_run_interrupted_after_a_checkpoint_resumes(tmp_path, capsys):
    run_dir, log = str(tmp_path / 'seed_0'), str(tmp_path / 'seed_0.log')
    wall_s, resumed = run_resumable_training(train_cmd(run_dir), run_dir, log)
    assert not resumed and wall_s > 0
    assert osp.isfile(osp.join(run_dir, 'last_checkpoint'))
    # the session ended before result.json: the same call again resumes,
    # --resume placed before --cfg-options, the log appended to
    _, resumed = run_resumable_training(train_cmd(run_dir), run_dir, log)
    assert resumed
    lines = open(log).read().splitlines()
    assert lines[0] == (f'ARGS --work-dir {run_dir} --cfg-options '
                        'randomness.seed=0')
    assert lines[1] == (f'ARGS --work-dir {run_dir} --resume --cfg-options '
                        'randomness.seed=0')
    assert '--resume' in capsys.readouterr().out


def test_anything_else_starts_afresh(tmp_path):
    run_dir, log = tmp_path / 'seed_0', tmp_path / 'seed_0.log'
    # a run stopped before its first checkpoint: a stale file, no marker
    run_dir.mkdir()
    (run_dir / 'stale.txt').write_text('x')
    log.write_text('old attempt\n')
    _, resumed = run_resumable_training(
        train_cmd(str(run_dir)), str(run_dir), str(log))
    assert not resumed and not (run_dir / 'stale.txt').exists()
    assert log.read_text().startswith('ARGS') and '--resume' not in \
        log.read_text()
    # a checkpoint marker but no log to append to: afresh as well
    log.unlink()
    _, resumed = run_resumable_training(
        train_cmd(str(run_dir)), str(run_dir), str(log))
    assert not resumed


def test_a_failed_run_names_its_log(tmp_path, monkeypatch):
    monkeypatch.setenv('FAKE_TRAIN_EXIT', '3')
    run_dir, log = str(tmp_path / 'seed_0'), str(tmp_path / 'seed_0.log')
    with pytest.raises(RuntimeError, match=f'exit 3.*{log}'):
        run_resumable_training(train_cmd(run_dir), run_dir, log)


def test_the_training_gets_the_given_environment(tmp_path):
    run_dir, log = str(tmp_path / 'seed_0'), str(tmp_path / 'seed_0.log')
    script = ('import os, sys; print("THREADS", '
              'os.environ.get("OMP_NUM_THREADS"))')
    run_resumable_training([sys.executable, '-c', script],
                           run_dir,
                           log,
                           env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert open(log).read().strip() == 'THREADS 1'
