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
    protocol, partial = (script_commit('PROTOCOL_COMMIT'),
                         script_commit('PARTIAL_COMMIT'))
    with open(osp.join(REPO_ROOT, 'docs', 'benchmarks.md')) as f:
        assert f'fixed\ncheckout of commit {protocol}' in f.read()
    with open(osp.join(REPO_ROOT, 'docs', 'partial_labels.md')) as f:
        assert f'checkout of commit {partial}' in f.read()


def test_usage_is_refused_without_an_action():
    proc = subprocess.run(['bash', SCRIPT], capture_output=True, text=True)
    assert proc.returncode == 2 and 'usage:' in proc.stderr


def test_sync_copies_runs_and_rewrites_the_table(tmp_path):
    repo = tmp_path / 'repo'
    for rel in ('.dev_scripts/cpu_campaigns.sh',
                'tools/analysis_tools/compare_methods.py',
                'docs/partial_labels.md'):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(osp.join(REPO_ROOT, rel), repo / rel)
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
    (run.parent / 'seed_0.log').write_text('the training log\n')
    # an interrupted run: no result.json, not copied
    (run.parent / 'seed_1').mkdir()
    proc = subprocess.run([
        'bash',
        str(repo / '.dev_scripts' / 'cpu_campaigns.sh'), 'sync',
        str(tmp_path / 'root')
    ],
                          capture_output=True,
                          text=True,
                          env=dict(os.environ, PYTHONPATH=REPO_ROOT))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    copied = repo / 'benchmarks' / 'multiglyphs_partial' / 'known10_mlic_llr'
    assert json.loads(
        (copied / 'seed_0' / 'result.json').read_text())['mAP'] == 61.5
    assert (copied / 'seed_0.log').read_text() == 'the training log\n'
    assert not (copied / 'seed_1').exists()
    doc = (repo / 'docs' / 'partial_labels.md').read_text()
    assert 'No runs yet.' not in doc
    row = next(line for line in doc.splitlines()
               if line.startswith('| MLIC, LL-R |'))
    assert row.split(' | ')[1] == '61.50'
