"""compare_methods.py: log parsing, aggregation over seeds (mean, sample
std, paired difference to the baseline), resuming, on canned logs."""
import importlib.util
import json
import os.path as osp
import re

import numpy as np
import pytest

from ..test_docs.test_doc_figures import unheld_figures
from .helpers import REPO_ROOT, run_tool

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis_tools', 'compare_methods.py')


def load_tool():
    spec = importlib.util.spec_from_file_location('compare_methods', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def canned_log(mAP, cf1, of1, times=(0.25, 0.35)):
    """Lines in the form mmengine's LoggerHook writes them."""
    lines = [
        f'11/29 10:00:0{i} - mmengine - INFO - Epoch(train) [1][{20 * i}/94]'
        f'  lr: 1.0e-03  eta: 0:01:00  time: {t}  data_time: 0.0200  '
        'loss: 190.0' for i, t in enumerate(times, start=1)
    ]
    for epoch, scale in ((4, 0.5), (8, 1.0)):
        lines.append(
            f'11/29 10:01:00 - mmengine - INFO - Epoch(val) [{epoch}][16/16]'
            f'    multi-label/mAP: {mAP * scale:.4f}  multi-label/CP: 50.0'
            f'  multi-label/CR: 50.0  multi-label/CF1: {cf1 * scale:.4f}  '
            f'multi-label/OP: 50.0  multi-label/OR: 50.0  '
            f'multi-label/OF1: {of1 * scale:.4f}  multi-label/CP_top3: 1.0'
            f'  multi-label/CF1_top3: 1.0  data_time: 0.05  time: 0.2')
    return '\n'.join(lines) + '\n'


BASE = {0: (60.0, 55.0, 58.0), 1: (62.0, 56.0, 59.0), 2: (61.0, 57.0, 60.0)}
MLIC = {0: (64.0, 60.0, 61.0), 1: (63.0, 61.0, 62.0)}  # seed 2 missing


def results_from_logs(tool):
    results = {}
    for key, runs in (('baseline', BASE), ('mlic', MLIC)):
        for seed, metrics in runs.items():
            res = tool.parse_log(canned_log(*metrics), batch_size=64)
            results.setdefault(key, {})[seed] = dict(res, params=1000000)
    return results


def test_parse_log_reads_the_last_validation_and_speed():
    tool = load_tool()
    res = tool.parse_log(canned_log(60.0, 55.0, 58.0), batch_size=64)
    assert res['epoch'] == 8
    assert (res['mAP'], res['CF1'], res['OF1']) == (60.0, 55.0, 58.0)
    assert res['images_per_s'] == pytest.approx(64 / 0.3)
    with pytest.raises(ValueError, match='no validation'):
        tool.parse_log('Epoch(train) [1][1/1] time: 0.2\n', batch_size=1)


def test_aggregate_mean_std_and_paired_difference():
    tool = load_tool()
    summary = tool.aggregate(results_from_logs(tool), baseline='baseline')
    base, mlic = summary['baseline'], summary['mlic']
    assert base['seeds'] == [0, 1, 2] and mlic['seeds'] == [0, 1]
    assert base['mAP'] == pytest.approx((61.0, 1.0))  # sample std, ddof=1
    assert base['delta_mAP'] is None
    assert mlic['mAP'] == pytest.approx((63.5, np.std([64, 63], ddof=1)))
    # Paired over seeds 0 and 1 only: differences 4 and 1.
    assert mlic['paired_seeds'] == [0, 1]
    assert mlic['delta_mAP'] == pytest.approx((2.5, np.std([4.0, 1.0],
                                                           ddof=1)))
    assert mlic['delta_CF1'] == pytest.approx((5.0, 0.0))
    assert mlic['delta_OF1'] == pytest.approx((3.0, 0.0))

    table = tool.format_table(tool.BENCHMARKS['multiglyphs'], summary)
    lines = table.strip().split('\n')
    assert len(lines) == 4  # header, rule, two rows with results
    assert '| 3 | 61.00 ± 1.00 |' in lines[2]
    assert '+2.50 ± 2.12' in lines[3]


def test_longest_run_is_tabulated_when_every_seed_was_timed():
    tool = load_tool()
    results = results_from_logs(tool)
    for seed, wall in zip((0, 1, 2), (300.4, 479.6, 410.0)):
        results['baseline'][seed]['wall_s'] = wall
    results['mlic'][0]['wall_s'] = 100.0  # seed 1 untimed
    summary = tool.aggregate(results, baseline='baseline')
    assert summary['baseline']['longest_run_s'] == 479.6
    assert summary['mlic']['longest_run_s'] is None
    lines = tool.format_table(tool.BENCHMARKS['multiglyphs'],
                              summary).strip().split('\n')
    assert lines[0].endswith('| longest run |')
    assert lines[2].endswith('| 8 min 00 s |')
    assert lines[3].endswith('| — |')


def test_single_seed_has_no_std():
    tool = load_tool()
    results = results_from_logs(tool)
    results = {k: {0: v[0]} for k, v in results.items()}
    summary = tool.aggregate(results, baseline='baseline')
    assert np.isnan(summary['mlic']['mAP'][1])
    table = tool.format_table(tool.BENCHMARKS['multiglyphs'], summary)
    assert '| 64.00 |' in table and '+4.00 |' in table


def test_finished_runs_are_read_not_repeated(tmp_path, monkeypatch):
    tool = load_tool()
    run_dir = tmp_path / 'mlic' / 'seed_0'
    run_dir.mkdir(parents=True)
    stored = dict(
        mAP=1.0, CF1=2.0, OF1=3.0, images_per_s=4.0, params=5, seed=0, epoch=8)
    (run_dir / 'result.json').write_text(json.dumps(stored))

    def no_subprocess(*args, **kwargs):
        raise AssertionError('a finished run was started again')

    monkeypatch.setattr(tool.subprocess, 'call', no_subprocess)
    assert tool.run_one('mlic', 'unused.py', 0, str(tmp_path), []) == stored


def test_tool_tabulates_a_work_dir_without_training(tmp_path):
    tool = load_tool()
    for key, runs in (('baseline', BASE), ('mlic', MLIC)):
        for seed, metrics in runs.items():
            run_dir = tmp_path / key / f'seed_{seed}'
            run_dir.mkdir(parents=True)
            res = dict(
                tool.parse_log(canned_log(*metrics), 64),
                params=2000000,
                seed=seed)
            (run_dir / 'result.json').write_text(json.dumps(res))
    # An interrupted run (no result.json) is not counted.
    (tmp_path / 'q2l' / 'seed_0').mkdir(parents=True)
    code, out = run_tool(
        [TOOL, '--work-dir',
         str(tmp_path), '--no-train', '--seeds', '0'])
    assert code == 0, out
    table = (tmp_path / 'results.md').read_text()
    assert 'baseline (GAP + linear)' in table and 'MLIC (T = 1)' in table
    assert 'Query2Label' not in table
    summary = json.loads((tmp_path / 'results.json').read_text())['summary']
    assert summary['mlic']['delta_mAP'][0] == pytest.approx(2.5)

    code, out = run_tool([TOOL, '--only', 'nope', '--no-train'])
    assert code != 0 and "unknown rows ['nope']" in out


def test_update_doc_replaces_only_the_marked_table(tmp_path):
    tool = load_tool()
    doc = tmp_path / 'bench.md'
    doc.write_text('intro\n<!-- compare_methods:multiglyphs -->\nold | table\n'
                   '<!-- /compare_methods -->\noutro\n')
    tool.update_doc(str(doc), 'multiglyphs', '| new | table |\n')
    assert doc.read_text() == (
        'intro\n<!-- compare_methods:multiglyphs -->\n| new | table |\n'
        '<!-- /compare_methods -->\noutro\n')
    with pytest.raises(
            ValueError,
            match='has 0 "<!-- compare_methods:other -->" markers'):
        tool.update_doc(str(doc), 'other', '| x |\n')


def test_speed_mode_times_each_row_without_training(tmp_path):
    code, out = run_tool([
        'tools/analysis_tools/compare_methods.py', '--speed', '--only',
        'baseline', 'csra', 'mlgcn', 'mlic', '--speed-iters', '1',
        '--work-dir',
        str(tmp_path)
    ])
    assert code == 0, out
    rows = re.findall(r'^\| (.*?) \| `(configs/\S+)` \| ([\d.]+) \|', out,
                      re.M)
    assert [r[1] for r in rows] == [
        'configs/baseline/resnet18_gap_linear_multiglyphs.py',
        'configs/csra/csra_multiglyphs.py',
        'configs/ml_gcn/mlgcn_multiglyphs.py',
        'configs/mlic/mlic_multiglyphs.py'
    ] * 2  # printed as measured, then as one table
    assert all(float(r[2]) > 0 for r in rows)
    assert not list(tmp_path.iterdir())  # nothing trained or written


def test_partial_label_rows_run_their_own_protocol_with_the_seed(
        tmp_path, monkeypatch):
    from mmengine.config import Config
    tool = load_tool()
    rows = [tool.row_parts(r) for r in tool.BENCHMARKS['multiglyphs_partial']]
    # two full-label rows, then 6 settings x 2 methods x 3 losses, the most
    # informative settings first; then Query2Label-style with full labels
    # and with AN in the first three settings
    assert len(rows) == 2 + 36 + 4
    assert [r[0] for r in rows[:2]] == ['full_baseline', 'full_mlic']
    assert [r[0].split('_')[0] for r in rows[2:38:6]] == [
        'known10', 'known50', 'single', 'known30', 'known70', 'known90'
    ]
    assert [r[0] for r in rows[38:]] == [
        'full_q2l', 'known10_q2l_an', 'known50_q2l_an', 'single_q2l_an'
    ]
    # a Query2Label-style row runs its setting's protocol, like MLIC's
    assert [r[3] for r in rows[39:]] == [
        r[3] for r in rows
        if r[0] in ('known10_mlic_an', 'known50_mlic_an', 'single_mlic_an')
    ]
    for key, title, config, options in rows:
        assert osp.isfile(osp.join(REPO_ROOT, config)), config
    # every row reports test mAP: its one validation, after the last epoch,
    # reads the test split (the recipe was chosen on validation before);
    # all share the quick start's recipe (pretrained backbone, 10 epochs)
    for key, title, config, options in rows[:2] + rows[2:8] + rows[38:40]:
        cfg = Config.fromfile(osp.join(REPO_ROOT, config))
        cfg.merge_from_dict(
            dict(o.replace('{seed}', '0').split('=', 1) for o in options))
        assert cfg.val_dataloader.dataset.split == 'test', key
        assert cfg.train_cfg.val_interval == cfg.train_cfg.max_epochs == 10
        assert cfg.model.backbone.init_cfg.type == 'Pretrained', key
        if '_q2l' in key:
            # its own tuned recipe (the protocol's choice for it), not MLIC's
            assert cfg.model.head.type == 'Query2LabelHead'
            assert cfg.optim_wrapper.optimizer.lr == pytest.approx(
                9.149e-4, rel=1e-3)
        if key == 'known10_q2l_an':
            assert cfg.train_dataloader.dataset.type == 'PartialLabelDataset'
            assert cfg.model.head.loss.unknown_labels == 'negative'
    key, _, config, options = rows[2 + 6 * 2 + 4]  # single positive, MLIC
    assert key == 'single_mlic_an'
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.merge_from_dict(
        dict(o.replace('{seed}', '2').split('=', 1) for o in options))
    dataset = cfg.train_dataloader.dataset
    assert dataset.type == 'PartialLabelDataset'
    assert dataset.protocol == 'single_positive' and dataset.seed == '2'
    assert cfg.model.head.loss.unknown_labels == 'negative'

    # the row's options, with the seed, reach the training command
    commands = []

    def record(cmd, **kwargs):
        commands.append(cmd)
        return 1  # a failed run: nothing to parse

    monkeypatch.setattr(tool.subprocess, 'call', record)
    monkeypatch.setattr(tool.sys, 'argv', [
        'compare_methods.py', '--benchmark', 'multiglyphs_partial', '--only',
        'single_mlic_an', '--seeds', '2', '--work-dir',
        str(tmp_path)
    ])
    with pytest.raises(SystemExit, match='failed runs'):
        tool.main()
    cmd = commands[0]
    assert cmd[cmd.index('--cfg-options') + 1:] == [
        'randomness.seed=2',
        'train_dataloader.dataset.protocol=single_positive',
        'train_dataloader.dataset.seed=2'
    ]
    table = tool.format_table(
        tool.BENCHMARKS['multiglyphs_partial'],
        dict(
            single_mlic_an=dict(
                seeds=[2],
                mAP=(50.0, np.nan),
                CF1=(40.0, np.nan),
                OF1=(45.0, np.nan),
                delta_mAP=None,
                delta_CF1=None,
                delta_OF1=None,
                params=2e6,
                images_per_s=100.0)))
    assert ('| MLIC, AN, single positive | `configs/partial_labels/'
            'mlic_multiglyphs_partial-an.py train_dataloader.dataset.'
            'protocol=single_positive train_dataloader.dataset.seed={seed}` '
            '| 1 | 50.00 |') in table


def test_partial_label_tables_pivot_by_known_share():
    """The partial-label benchmark reads as a curve per method and loss, and
    MLIC minus the baseline is paired over the seeds both have."""
    tool = load_tool()

    def runs(*maps):
        return {seed: dict(mAP=m) for seed, m in enumerate(maps)}

    results = {
        'full_baseline': runs(76.0, 77.0, 78.0),
        'full_mlic': runs(80.0, 80.0, 81.0),
        'known10_baseline_an': runs(50.0, 52.0, 54.0),
        'known10_mlic_an': runs(51.0, 54.0, 57.0),
        'single_mlic_llr': runs(40.0),
        'single_baseline_llr': runs(38.5, 39.0),
    }
    lines = tool.partial_label_tables(results).splitlines()
    assert lines[2] == ('| method, loss | 10 % | 30 % | 50 % | 70 % | 90 % | '
                        'full | single positive |')
    rows = {line.split(' | ')[0]: line for line in lines}
    # every key of the benchmark's rows is a cell of the table
    assert rows['| baseline, AN'] == (
        '| baseline, AN | 52.00 ± 2.00 | — | — | — | — | 77.00 ± 1.00 | — |')
    assert rows['| baseline, LL-R'].endswith('| 38.75 ± 0.35 (2 seeds) |')
    assert rows['| MLIC, LL-R'].endswith('| 80.33 ± 0.58 | 40.00 (1 seed) |')
    # paired: differences 1, 2, 3 -> mean 2, 95 % half-width
    # t(0.975, 2) * 1 / sqrt(3) = 2.48
    assert rows['| AN'] == ('| AN | +2.00 [-0.48, +4.48] | — | — | — | — | '
                            '+3.33 [+1.90, +4.77] | — |')
    assert rows['| LL-R'].endswith('| +1.50 (1 seed) |')
    # no Query2Label-style run yet: its row reads "—", no third table
    # (empty: a setting the benchmark does not train it in)
    assert rows['| Query2Label-style, AN'] == (
        '| Query2Label-style, AN | — |  | — |  |  | — | — |')
    assert not any(line.startswith('| MLIC minus') for line in lines)
    # every row of the benchmark is a cell of the table
    keys = {row[0] for row in tool.BENCHMARKS['multiglyphs_partial']}
    cells = {
        tool._partial_key(column, method, loss)
        for column, _ in tool.PARTIAL_COLUMNS
        for method, loss in tool.PARTIAL_ROWS
    }
    assert keys <= cells
    assert cells - keys == {
        'known30_q2l_an', 'known70_q2l_an', 'known90_q2l_an'
    }

    # with Query2Label-style runs: MLIC and the baseline paired with it
    results.update({
        'full_q2l': runs(74.0, 75.0, 76.0),
        'known10_q2l_an': runs(50.0, 50.0),
    })
    lines = tool.partial_label_tables(results).splitlines()
    rows = {line.split(' | ')[0]: line for line in lines}
    assert rows['| Query2Label-style, AN'] == (
        '| Query2Label-style, AN | 50.00 ± 0.00 (2 seeds) |  | — |  |  | '
        '75.00 ± 1.00 | — |')
    # MLIC minus it: 10 %: 1, 4 (seeds 0, 1) -> mean 2.5, half-width
    # t(0.975, 1) * 2.12 / sqrt(2) = 19.06; full: 6, 5, 5
    assert rows['| MLIC minus Query2Label-style'] == (
        '| MLIC minus Query2Label-style | +2.50 [-16.56, +21.56] |  | — |  '
        '|  | +5.33 [+3.90, +6.77] | — |')
    assert rows['| Query2Label-style minus the baseline'] == (
        '| Query2Label-style minus the baseline | -1.00 [-13.71, +11.71] |  '
        '| — |  |  | -2.00 [-2.00, -2.00] | — |')


def graph_log(records):
    """Training lines with the graph diagnostics: records of (epoch,
    present_present, present_absent, corr) as mmengine's logger writes them
    (``nan`` for a window without the pair)."""
    return ''.join(
        f'12/04 06:28:{i:02d} - mmengine - INFO - Epoch(train) [{epoch}]'
        f'[{10 * i}/79]  base_lr: 1.0e-04 lr: 1.0e-04  eta: 0:00:17  time: '
        f'0.5845  data_time: 0.0142  loss: 66.5  loss_cls: 66.4  '
        f'graph/present_present: {pp}  graph/present_absent: {pa}  '
        f'graph/corr_with_data: {corr}  graph/contrastive_minus_log2: 0.37\n'
        for i, (epoch, pp, pa, corr) in enumerate(records, start=1))


def test_partial_graph_table_reads_the_mlic_logs(tmp_path):
    """The graph diagnostics of each MLIC setting: the last epoch's mean of
    the steps that define each value (NaN windows skipped), then the mean
    over seeds; a value NaN in every step reads "undefined"; settings
    without such logs are left out; none at all gives no table."""
    tool = load_tool()
    logs = {
        ('known10_mlic_an', 0):
        graph_log([(9, 0.5, 0.5, 0.9), (10, 0.02, 0.01, 0.1),
                   (10, 'nan', 0.03, 0.3)]),
        ('known10_mlic_an', 1):
        graph_log([(10, 0.04, 0.03, -0.1)]),
        ('known50_mlic_an', 0):
        graph_log([(10, 0.01, 0.05, -0.2)]),
        ('single_mlic_an', 0):
        graph_log([(10, 'nan', 'nan', 'nan')]),
        # a baseline log is no MLIC setting
        ('known10_baseline_an', 0):
        graph_log([(10, 0.9, 0.9, 0.9)]),
    }
    for (key, seed), text in logs.items():
        (tmp_path / key).mkdir(exist_ok=True)
        (tmp_path / key / f'seed_{seed}.log').write_text(text)
    results = {key: {} for key, _ in logs}
    for key, seed in logs:
        results[key][seed] = dict(mAP=50.0)
    results['full_mlic'] = {0: dict(mAP=80.0)}  # no log: left out
    lines = tool.partial_graph_table(str(tmp_path), results).splitlines()
    assert lines[0].startswith('| MLIC, setting | seeds | A present-present')
    # seed 0's last epoch: present-present 0.02 (the NaN step skipped),
    # present-absent (0.01 + 0.03) / 2, corr (0.1 + 0.3) / 2; seed 1:
    # 0.04, 0.03, -0.1; then the mean over the two seeds
    assert lines[2] == '| 10 %, AN | 2 | 0.0300 | 0.0250 | +0.050 |'
    assert lines[3] == '| 50 %, AN | 1 | 0.0100 | 0.0500 | -0.200 |'
    assert lines[4] == ('| single positive, AN | 1 | undefined | undefined | '
                        'undefined |')
    # the extremes over the settings that define each value ("undefined"
    # left out)
    assert lines[5:] == [
        '', 'From the lowest to the highest setting: A present-present '
        '0.0100 to 0.0300; A present-absent 0.0250 to 0.0500; corr. with '
        'P(j \\| i) -0.200 to +0.050.'
    ]
    assert tool.partial_graph_table(str(tmp_path), {}) == ''


def loss_log(losses):
    """A training log whose epoch e logs the loss losses[e - 1]."""
    return ''.join(
        f'12/04 06:28:00 - mmengine - INFO - Epoch(train) [{epoch}][10/79]  '
        f'base_lr: 1.0e-04 lr: 1.0e-04  eta: 0:00:17  time: 0.5845  '
        f'data_time: 0.0142  loss: {loss}\n'
        for epoch, loss in enumerate(losses, start=1))


def test_every_run_table_gives_the_worst_training_loss_rise(tmp_path):
    """The partial-label table's last column: each row's worst seed's
    training-loss rise (how far an epoch's mean loss rose above the lowest
    before it), "0 %" when no seed's loss rose, "—" when a seed has no
    log."""
    tool = load_tool()
    logs = {
        ('known30_mlic_ignore', 0): [200.0, 150.0, 120.0],
        ('known30_mlic_ignore', 1): [200.0, 125.0, 150.0],  # +20 %
        ('known30_mlic_ignore', 2): [200.0, 100.0, 105.0],  # +5 %
        ('known30_mlic_an', 0): [90.0, 60.0, 50.0],
    }
    for (key, seed), losses in logs.items():
        (tmp_path / key).mkdir(exist_ok=True)
        (tmp_path / key / f'seed_{seed}.log').write_text(loss_log(losses))
    results = {
        'known30_mlic_ignore': {
            s: {}
            for s in range(3)
        },
        'known30_mlic_an': {
            0: {},
            1: {}
        },  # seed 1 has no log
    }
    rises = tool.training_loss_rises(str(tmp_path), results)
    assert rises['known30_mlic_ignore'] == pytest.approx({
        0: 0.0,
        1: 0.2,
        2: 0.05
    })
    assert rises['known30_mlic_an'] == {0: 0.0}
    assert tool._fmt_rise(rises['known30_mlic_ignore'], [0, 1, 2]) == \
        '20 % (seed 1)'
    assert tool._fmt_rise(rises['known30_mlic_ignore'], [0]) == '0 %'
    assert tool._fmt_rise(rises['known30_mlic_an'], [0, 1]) == '—'
    summary = dict(
        known30_mlic_ignore=dict(
            seeds=[0, 1, 2],
            mAP=(50.0, 1.0),
            CF1=(40.0, 1.0),
            OF1=(45.0, 1.0),
            delta_mAP=None,
            delta_CF1=None,
            delta_OF1=None,
            params=2e6,
            images_per_s=100.0))
    rows = tool.BENCHMARKS['multiglyphs_partial']
    lines = tool.format_table(rows, summary, rises).splitlines()
    assert lines[0].endswith('| longest run | training-loss rise (worst '
                             'seed) |')
    assert lines[2].endswith('| — | 20 % (seed 1) |')
    # a finished run's log without a training loss is named
    (tmp_path / 'known30_mlic_an' / 'seed_1.log').write_text('cut short\n')
    with pytest.raises(
            ValueError,
            match=r'known30_mlic_an/seed_1\.log: '
            'the log holds no training loss'):
        tool.training_loss_rises(str(tmp_path), results)
    # without rises, the table other benchmarks write
    assert tool.format_table(
        rows, summary).splitlines()[0].endswith('| longest run |')


def test_committed_partial_label_table_is_what_the_committed_runs_give(
        tmp_path):
    """docs/partial_labels.md's table is `--no-train --update-doc` on the
    runs committed under benchmarks/multiglyphs_partial/ ("No runs yet."
    without any): a run added without rewriting the table, or a table
    edited by hand, fails here. (docs/benchmarks.md's MultiGlyphs table:
    test_doc_commands.test_committed_benchmark_table_is_current.)"""
    import shutil
    doc, name = 'docs/partial_labels.md', 'multiglyphs_partial'
    committed = osp.join(REPO_ROOT, 'benchmarks', name)
    work = tmp_path / 'runs'
    if osp.isdir(committed):
        shutil.copytree(committed, work)
    copy = tmp_path / osp.basename(doc)
    shutil.copy(osp.join(REPO_ROOT, doc), copy)
    code, out = run_tool([
        TOOL, '--benchmark', name, '--work-dir',
        str(work), '--no-train', '--update-doc',
        str(copy)
    ])
    assert code == 0, out
    with open(osp.join(REPO_ROOT, doc), encoding='utf-8') as f:
        assert copy.read_text(encoding='utf-8') == f.read(), (
            f'{doc} differs from `python tools/analysis_tools/'
            f'compare_methods.py --benchmark {name} --work-dir '
            f'benchmarks/{name} --no-train --update-doc {doc}`')


def test_jobs_run_at_once_in_order_with_their_threads(monkeypatch):
    """--jobs 2: two runs are in flight together (each waits at a barrier
    for the other), they start in the jobs' order (seeds outer), every run
    gets the threads' environment, and a failure does not stop the
    others."""
    import threading
    tool = load_tool()
    env = tool.training_env(1)
    assert env['OMP_NUM_THREADS'] == env['MKL_NUM_THREADS'] == '1'
    assert tool.training_env(None) is None
    barrier = threading.Barrier(2, timeout=30)
    started, seen_env = [], []

    def fake_run_one(key, config, seed, work_dir, options, env):
        started.append((seed, key))
        seen_env.append(env)
        barrier.wait()  # BrokenBarrierError unless both run at once
        if key == 'bad':
            raise RuntimeError('bad seed 0: training failed')
        return dict(mAP=1.0, CF1=2.0, OF1=3.0)

    monkeypatch.setattr(tool, 'run_one', fake_run_one)
    jobs = [(0, 'a', 'a.py', []), (0, 'bad', 'b.py', []), (1, 'a', 'a.py', []),
            (1, 'c', 'c.py', [])]
    failures = tool.train_all(jobs, 'unused', num_jobs=2, env=env)
    assert failures == ['bad seed 0: training failed']
    assert sorted(started[:2]) == [(0, 'a'), (0, 'bad')]
    assert sorted(started[2:]) == [(1, 'a'), (1, 'c')]
    assert all(e is env for e in seen_env)


def test_jobs_and_threads_must_be_positive():
    for flags in (['--jobs', '0'], ['--threads-per-job', '0']):
        code, out = run_tool([TOOL, '--no-train', '--only', 'baseline'] +
                             flags)
        assert code != 0 and 'must be at least 1' in out, out


#: a figure as the tables write it: two to four decimals, not part of a
#: longer number or of a word (2.66e-3 is a learning rate, not a figure)
QUOTED_FIGURE = re.compile(r'[-+]?\d+\.\d{2,4}(?![\d\w])')


def test_partial_label_reading_quotes_the_generated_tables():
    """The hand-written reading under docs/partial_labels.md's table, and
    the README's sentence on the table's full-label rows, quote figures
    (two to four decimals, intervals included) that the generated tables
    hold, so a re-sync that changes a figure fails here until the prose
    follows."""
    with open(
            osp.join(REPO_ROOT, 'docs', 'partial_labels.md'),
            encoding='utf-8') as f:
        page = f.read()
    begin = page.index('<!-- compare_methods:multiglyphs_partial -->')
    generated = page[begin:page.index('<!-- /compare_methods -->', begin)]
    assert '### What the table says' in page
    reading = page.split('### What the table says', 1)[1]
    with open(osp.join(REPO_ROOT, 'README.md'), encoding='utf-8') as f:
        readme = f.read()
    sentence = readme[readme.index('partial-label campaign\'s full-label '
                                   'rows'):]
    sentence = sentence[:sentence.index('(below)')]
    for where, text in (('the reading', reading), ('the README', sentence)):
        figures = QUOTED_FIGURE.findall(text)
        assert len(figures) >= 3, (where, figures)
        missing = unheld_figures(text, generated)
        assert not missing, (f'{where} quotes {missing}, which the '
                             'generated tables of docs/partial_labels.md '
                             'do not hold')
    # the graph's ranges the reading gives are the computed extremes
    line = generated[generated.index('From the lowest to the highest'):]
    line = ' '.join(line[:line.index('.\n')].split())
    ranges = re.findall(r'([-+]?\d+\.\d+) to ([-+]?\d+\.\d+)', line)
    assert len(ranges) == 3, line
    reading = ' '.join(reading.split())
    for low, high in ranges:
        assert f'{low} to {high}' in reading, (
            f'the reading does not give the range {low} to {high} of: '
            f'{line}')
