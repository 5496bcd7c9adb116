"""cpu_campaigns.sh: its campaigns' commits are the ones the docs name, and
`sync` copies finished runs into benchmarks/ and rewrites the tables (here
in a copy of the files it touches, with a canned run)."""
import json
import os
import os.path as osp
import re
import shutil
import subprocess

from ..test_tools.helpers import REPO_ROOT

SCRIPT = osp.join(REPO_ROOT, '.dev_scripts', 'cpu_campaigns.sh')


def script_commit(name):
    with open(SCRIPT) as f:
        return re.search(rf'^{name}=(\w+)$', f.read(), re.M).group(1)


def test_the_commits_are_the_ones_the_docs_name():
    protocol, amendment, partial = (script_commit('PROTOCOL_COMMIT'),
                                    script_commit('AMENDMENT_COMMIT'),
                                    script_commit('PARTIAL_COMMIT'))

    def prose(page):  # the page's words, line breaks as spaces
        with open(osp.join(REPO_ROOT, 'docs', page)) as f:
            return ' '.join(f.read().split())

    assert f'fixed checkout of commit {protocol}' in prose('benchmarks.md')
    assert f'fixed checkout of commit {amendment}' in prose('benchmarks.md')
    assert f'checkout of commit {partial}' in prose('partial_labels.md')
    q2l = script_commit('PARTIAL_Q2L_COMMIT')
    assert f'checkout of commit {q2l}' in prose('partial_labels.md')


def test_usage_is_refused_without_an_action():
    proc = subprocess.run(['bash', SCRIPT], capture_output=True, text=True)
    assert proc.returncode == 2 and 'usage:' in proc.stderr


def copy_into(repo, rels):
    """A checkout at ``repo`` holding only these files of this one."""
    for rel in rels:
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(osp.join(REPO_ROOT, rel), repo / rel)


def run_sync(repo, root):
    """``repo``'s cpu_campaigns.sh sync on the runs under ``root``."""
    proc = subprocess.run([
        'bash',
        str(repo / '.dev_scripts' / 'cpu_campaigns.sh'), 'sync',
        str(root)
    ],
                          capture_output=True,
                          text=True,
                          env=dict(os.environ, PYTHONPATH=REPO_ROOT))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_sync_copies_runs_and_rewrites_the_table(tmp_path):
    repo = tmp_path / 'repo'
    copy_into(
        repo,
        ('.dev_scripts/cpu_campaigns.sh',
         'tools/analysis_tools/compare_methods.py', 'docs/partial_labels.md'))
    run = tmp_path / 'root' / 'partial_runs' / 'known10_mlic_llr' / 'seed_0'
    run.mkdir(parents=True)
    (run / 'result.json').write_text(
        json.dumps(
            dict(
                mAP=61.5,
                CF1=55.0,
                OF1=57.0,
                images_per_s=40.0,
                params=5_090_000,
                seed=0,
                wall_s=600.0)))
    log = ('12/04 06:28:00 - mmengine - INFO - Epoch(train) [1][10/79]  '
           'base_lr: 1.0e-04 lr: 1.0e-04  time: 0.5845  loss: 66.5\n')
    (run.parent / 'seed_0.log').write_text(log)
    # an interrupted run: no result.json, not copied
    (run.parent / 'seed_1').mkdir()
    # an older copy of a run that finished again since: sync replaces it
    copied = repo / 'benchmarks' / 'multiglyphs_partial' / 'known10_mlic_llr'
    (copied / 'seed_0').mkdir(parents=True)
    (copied / 'seed_0' / 'result.json').write_text('{"mAP": 1.0}')
    (copied / 'seed_0.log').write_text('an older log\n')
    run_sync(repo, tmp_path / 'root')
    assert json.loads(
        (copied / 'seed_0' / 'result.json').read_text())['mAP'] == 61.5
    assert (copied / 'seed_0.log').read_text() == log
    assert not (copied / 'seed_1').exists()
    doc = (repo / 'docs' / 'partial_labels.md').read_text()
    assert 'No runs yet.' not in doc
    row = next(line for line in doc.splitlines()
               if line.startswith('| MLIC, LL-R |'))
    assert row.split(' | ')[1] == '61.50'


def test_restore_brings_back_finished_runs_only(tmp_path):
    """A fresh machine has no runs folder: `restore` (the first step of
    `run`) copies the committed finished runs there and keeps what the
    runs folder already has."""
    repo = tmp_path / 'repo'
    (repo / '.dev_scripts').mkdir(parents=True)
    shutil.copy(SCRIPT, repo / '.dev_scripts' / 'cpu_campaigns.sh')
    committed = repo / 'benchmarks' / 'multiglyphs_protocol'
    final = committed / 'final' / 'pretrained' / 'mlic'
    (final / 'seed_0').mkdir(parents=True)
    (final / 'seed_0' / 'result.json').write_text('{"test": {"mAP": 65.4}}')
    (final / 'seed_0.log').write_text('seed 0 log\n')
    (final / 'seed_1').mkdir()
    (final / 'seed_1' / 'result.json').write_text('{"test": {"mAP": 1.0}}')
    choice = committed / 'tune' / 'pretrained' / 'mlic' / 'choice.json'
    choice.parent.mkdir(parents=True)
    choice.write_text('{"choice": {"trial": 3}}')
    (committed / 'plan.json').write_text('{"epochs": {"pretrained": 20}}')
    # the runs folder already holds seed 1, finished on this machine
    runs = tmp_path / 'root' / 'protocol_runs'
    here = runs / 'final' / 'pretrained' / 'mlic' / 'seed_1'
    here.mkdir(parents=True)
    (here / 'result.json').write_text('{"test": {"mAP": 75.6}}')
    proc = subprocess.run([
        'bash',
        str(repo / '.dev_scripts' / 'cpu_campaigns.sh'), 'restore',
        str(tmp_path / 'root')
    ],
                          capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    mlic = runs / 'final' / 'pretrained' / 'mlic'
    assert json.loads((mlic / 'seed_0' / 'result.json').read_text()) == {
        'test': {
            'mAP': 65.4
        }
    }
    assert (mlic / 'seed_0.log').read_text() == 'seed 0 log\n'
    assert json.loads(
        (mlic / 'seed_1' / 'result.json').read_text())['test']['mAP'] == 75.6
    assert json.loads((runs / 'tune' / 'pretrained' / 'mlic' /
                       'choice.json').read_text())['choice']['trial'] == 3
    assert (runs / 'plan.json').is_file()
    # no partial-label runs committed: nothing made for them
    assert not (tmp_path / 'root' / 'partial_runs').exists()


def test_sync_writes_the_protocol_tables_and_the_amendments_progress(tmp_path):
    """`sync` copies a finished protocol run, rewrites the page's tables and
    summary from the copies, and writes the amendment's progress (read
    from the live runs folder: a run under way counts there) under its
    time."""
    repo = tmp_path / 'repo'
    copy_into(
        repo,
        ('.dev_scripts/cpu_campaigns.sh',
         'tools/analysis_tools/multiglyphs_protocol.py', 'docs/benchmarks.md'))
    amended = tmp_path / 'root' / 'protocol_runs' / 'amended'
    amended.mkdir(parents=True)
    (amended / 'plan.json').write_text(
        json.dumps(
            dict(
                epochs=dict(pretrained=20, scratch=20),
                seeds=[0, 1, 2],
                amendment=2)))
    # the baseline's amended choice (so its rows count; the committed one)
    choice = osp.join('tune', 'pretrained', 'baseline', 'choice.json')
    (amended / choice).parent.mkdir(parents=True)
    shutil.copy(
        osp.join(REPO_ROOT, 'benchmarks', 'multiglyphs_protocol', 'amended',
                 choice), amended / choice)
    run = amended / 'final' / 'pretrained' / 'baseline' / 'seed_0'
    run.mkdir(parents=True)
    (run / 'result.json').write_text(
        json.dumps(
            dict(
                config='configs/baseline/resnet18_gap_linear_'
                'singleglyphs-pre_multiglyphs-val.py',
                options=['randomness.seed=0'],
                test=dict(mAP=71.25, CF1=60.0, OF1=61.0),
                wall_s=600.0)))
    # seed 1 under way: a checkpoint, no result
    under_way = run.parent / 'seed_1'
    under_way.mkdir()
    (under_way / 'last_checkpoint').write_text(str(under_way / 'epoch_7.pth'))
    proc = run_sync(repo, tmp_path / 'root')
    assert 'amendment progress written' in proc.stdout
    copied = (
        repo / 'benchmarks' / 'multiglyphs_protocol' / 'amended' / 'final' /
        'pretrained' / 'baseline')
    assert json.loads((copied / 'seed_0' /
                       'result.json').read_text())['test']['mAP'] == 71.25
    assert not (copied / 'seed_1').exists()
    doc = (repo / 'docs' / 'benchmarks.md').read_text()
    progress = doc.split('<!-- multiglyphs_protocol:progress -->\n')[1]
    progress = progress.split('<!-- /multiglyphs_protocol -->')[0]
    assert progress.startswith('As of ')
    assert '| pretrained | baseline | 0 | seed 1 at epoch 7 | 33 |' in progress
    summary = doc.split('<!-- multiglyphs_protocol:summary -->\n')[1]
    assert summary.startswith('| | pretrained, amendment 2 |')
    assert '| baseline (GAP + linear), test mAP | 71.25 (1 seed) |' in summary
