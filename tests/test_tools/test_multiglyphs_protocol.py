"""multiglyphs_protocol.py: the trial points, the successive-halving
selection on canned trial results, the pilot's loss criterion, the run
length options and the final table's paired intervals."""
import argparse
import importlib.util
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest

from .helpers import REPO_ROOT

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis_tools',
                'multiglyphs_protocol.py')


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location('multiglyphs_protocol', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_trials_are_a_fixed_stratified_design(tool):
    trials = tool.sample_trials()
    assert trials == tool.sample_trials()  # fixed by its seed
    assert len(trials) == tool.NUM_TRIALS == 6
    shared = [t['shared'] for t in trials]
    # every method gets the same shared points; MLIC adds its own two
    assert tool.trial_params(trials[0], 'csra') == shared[0]
    assert tool.trial_params(trials[0],
                             'mlic') == dict(shared[0], **trials[0]['mlic'])
    # a stratum of each range per trial: the sixths of log(lr) all used
    lo, hi = np.log(1e-4), np.log(3e-3)
    strata = sorted(
        int((np.log(s['lr']) - lo) / (hi - lo) * 6) for s in shared)
    assert strata == list(range(6))
    # three-valued choices come twice each, four-valued once or twice
    for values, name in (((0.1, 0.3, 1.0), 'backbone_lr_mult'),
                         ((0.0, 1.0, 2.0, 4.0), 'gamma_neg')):
        counts = [sum(s[name] == v for s in shared) for v in values]
        assert sum(counts) == 6 and min(counts) >= 1 and max(counts) <= 2
    for name, values in (('loss_weight', (0.1, 0.5, 1.0)), ('num_steps', (1, 2,
                                                                          4))):
        assert sorted(t['mlic'][name] for t in trials) == sorted(values * 2)


def test_select_trials_ranks_by_validation_map(tool):
    scores = {0: 50.0, 1: 61.5, 2: float('nan'), 3: 61.5, 4: 40.0}
    assert tool.select_trials(scores, 2) == [1, 3]  # tie: earlier first
    assert tool.select_trials(scores, 5) == [1, 3, 0, 4, 2]  # NaN last


def write_result(run_dir, val_map):
    os.makedirs(run_dir)
    with open(osp.join(run_dir, 'result.json'), 'w') as f:
        json.dump(dict(val=dict(mAP=val_map, CF1=0, OF1=0), wall_s=60.0), f)


def test_tune_selects_on_canned_trial_results(tool, tmp_path):
    """Successive halving reads finished trials instead of training: rung
    0's best two are promoted, rung 1's best is the choice, even where it
    was second in rung 0."""
    base = tmp_path / 'tune' / 'scratch' / 'csra'
    rung0 = [55.0, 58.0, 41.0, 60.0, 57.9, 12.0]
    for i, score in enumerate(rung0):
        write_result(str(base / 'rung0' / f'trial_{i}'), score)
    write_result(str(base / 'rung1' / 'trial_3'), 62.0)
    write_result(str(base / 'rung1' / 'trial_1'), 63.5)
    record = tool.tune_method(
        str(tmp_path), 'scratch', 'csra', 'configs/csra/csra', epochs=8)
    assert [r['epochs'] for r in record['rungs']] == [2, 8]
    assert [t['trial'] for t in record['rungs'][1]['trials']] == [3, 1]
    trials = tool.sample_trials()
    assert record['choice'] == dict(
        trial=1, params=trials[1]['shared'], val_mAP=63.5)
    saved = json.loads((base / 'choice.json').read_text())
    assert saved['choice']['trial'] == 1
    assert tool.chosen_params(str(tmp_path), 'scratch', 'csra') == \
        trials[1]['shared']
    with pytest.raises(FileNotFoundError, match='no tuned recipe'):
        tool.chosen_params(str(tmp_path), 'scratch', 'mlic')


def canned_train_log(losses, per_epoch=79):
    lines = []
    for i, loss in enumerate(losses):
        it = (i + 1) * 10
        epoch, inner = divmod(it - 1, per_epoch)
        lines.append(f'12/02 10:00:00 - mmengine - INFO - Epoch(train) '
                     f'[{epoch + 1}][{inner + 1:>2}/{per_epoch}]  lr: 1e-3  '
                     f'eta: 0:00:01  time: 0.2  data_time: 0.01  loss: '
                     f'{loss:.4f}')
    return '\n'.join(lines)


def test_loss_change_over_the_last_fifth(tool):
    total = 790
    flat = tool.train_losses(canned_train_log([100.0] * 79))
    assert flat[:2, 0].tolist() == [10, 20] and flat[8, 0] == 90
    assert tool.loss_change(flat, total)['change'] == pytest.approx(0)
    # falling 1 % per log record after 80 %: far above 2 %
    falling = [100.0] * 63 + [100.0 * 0.99**k for k in range(16)]
    res = tool.loss_change(tool.train_losses(canned_train_log(falling)), total)
    assert res['change'] > 0.1 and res['start'] > res['end']
    with pytest.raises(ValueError, match='no training loss'):
        tool.train_losses('nothing logged')


def test_epoch_options_set_length_schedule_and_ema(tool):
    cfg = tool._load_cfg('configs/ml_gcn/mlgcn_multiglyphs-val.py')
    opts = tool.epoch_options(cfg, 20)
    assert 'train_cfg.max_epochs=20' in opts
    # mlic's schedules end with the run: no end to set
    assert not [o for o in opts if o.startswith('param_scheduler')]
    # a config that states its schedule's end gets it moved
    for sched in cfg.param_scheduler:
        sched['end'] = 10
    stated = tool.epoch_options(cfg, 20)
    assert 'param_scheduler.0.end=20' in stated
    assert 'param_scheduler.1.end=20' in stated
    # the EMA is the second custom hook there (after LabelCooccurrenceHook)
    ema = [o for o in opts if o.startswith('custom_hooks.1.momentum=')]
    assert len(ema) == 1
    momentum = float(ema[0].split('=')[1])
    assert momentum == pytest.approx(8 / (20 * 79), rel=1e-6)
    assert tool.param_options(dict(lr=1e-3, num_steps=2)) == [
        'optim_wrapper.optimizer.lr=0.001',
        'model.head.graph_encoder.num_steps=2'
    ]
    with pytest.raises(ValueError, match='unknown hyper-parameters'):
        tool.param_options(dict(momentum=0.9))


def _as_fixed_momentum(cfg: dict, epochs: int, tool) -> dict:
    """``cfg`` with its RunLengthEMAHook written as the EMAHook with the
    fixed momentum that the hook sets in a run of ``epochs`` MultiGlyphs
    epochs (what the protocol tool's options state)."""
    hooks = []
    for hook in cfg['custom_hooks']:
        if hook['type'] == 'RunLengthEMAHook':
            hook = dict(hook, type='EMAHook')
            share = hook.pop('horizon_share')
            hook['momentum'] = (1 / share) / (epochs * tool.STEPS_PER_EPOCH)
        hooks.append(hook)
    return dict(cfg, custom_hooks=hooks)


def _assert_same_config(actual, expected, where=''):
    """Equal nested configs, floats up to the options' 8 printed digits."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), \
            f'{where}: keys {sorted(actual)} != {sorted(expected)}'
        for key in expected:
            _assert_same_config(actual[key], expected[key], f'{where}.{key}')
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected)):
            _assert_same_config(a, e, f'{where}[{i}]')
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-7), where
    else:
        assert actual == expected, where


def _assert_config_is_final_run(tool, work_dir, key, config_file):
    """``config_file`` is what the tool trains for the pretrained row
    ``key``'s final run at seed 0 with the choice recorded in
    ``work_dir``."""
    from mmengine.config import Config, DictAction
    row = [r for r in tool.final_rows('pretrained') if r[0] == key][0]
    config, opts = tool.final_run_options(work_dir, 'pretrained', row, 20, 0)
    expected = tool._load_cfg(config)
    parser = argparse.ArgumentParser()
    parser.add_argument('--o', nargs='+', action=DictAction)
    expected.merge_from_dict(parser.parse_args(['--o'] + opts).o)
    actual = Config.fromfile(osp.join(REPO_ROOT, config_file))
    # the tool logs every 10 steps; so does the tuned config. max_epochs is
    # a file-level variable the runner never reads (train_cfg holds the
    # run's length); the tool's options leave the base file's value there
    expected = expected.to_dict()
    assert expected.pop('max_epochs') == 10
    actual = _as_fixed_momentum(actual.to_dict(), 20, tool)
    assert actual.pop('max_epochs') == 20
    _assert_same_config(actual, expected, config_file)
    return expected, parser


@pytest.mark.parametrize('key', ['baseline', 'csra', 'mlgcn', 'q2l', 'mlic'])
def test_tuned_configs_are_the_final_runs_config(tool, key):
    """configs/*/*_singleglyphs-pre_multiglyphs-tuned-20e.py is what the
    tool trains for the row's final run at seed 0 with the committed
    choice, so a user who trains the config gets the table's recipe."""
    from mmengine.config import Config
    row = [r for r in tool.final_rows('pretrained') if r[0] == key][0]
    tuned = tool.config_path(row[2],
                             'pretrained').replace('-val.py', '-tuned-20e.py')
    expected, parser = _assert_config_is_final_run(
        tool, osp.join(REPO_ROOT, 'benchmarks', 'multiglyphs_protocol'), key,
        tuned)
    # and the 10-epoch version (the quick start) only shortens the run
    short = tuned.replace('-20e', '-10e')
    if osp.isfile(osp.join(REPO_ROOT, short)):
        expected = Config(expected)
        expected.merge_from_dict(
            parser.parse_args(['--o'] + tool.epoch_options(expected, 10)).o)
        actual = _as_fixed_momentum(
            Config.fromfile(osp.join(REPO_ROOT, short)).to_dict(), 10, tool)
        assert actual.pop('max_epochs') == 10
        _assert_same_config(actual, expected.to_dict(), short)


def test_amended_config_is_the_amended_final_runs_config(tool):
    """configs/mlic/mlic_singleglyphs-pre_multiglyphs-amended-20e.py is what
    the amendment trains for MLIC's final runs (its committed amended
    choice), and differs from the tuned config, whose recipe it replaces."""
    amended = 'configs/mlic/mlic_singleglyphs-pre_multiglyphs-amended-20e.py'
    work_dir = osp.join(REPO_ROOT, 'benchmarks', 'multiglyphs_protocol',
                        tool.AMENDED)
    assert tool.tuning_record(work_dir, 'pretrained',
                              'mlic')['choice']['trial'] == 3
    _assert_config_is_final_run(tool, work_dir, 'mlic', amended)
    with pytest.raises(AssertionError):
        _assert_config_is_final_run(
            tool, osp.join(REPO_ROOT, 'benchmarks', 'multiglyphs_protocol'),
            'mlic', amended)


def test_summary_pairs_seeds_with_a_t_interval(tool):

    def res(m):
        return dict(test=dict(mAP=m, CF1=m, OF1=m), wall_s=100.0)

    runs = dict(
        baseline={
            s: res(m)
            for s, m in enumerate((60.0, 62.0, 61.0))
        },
        mlic={
            s: res(m)
            for s, m in enumerate((63.0, 66.0, 61.0))
        })
    summary = tool.summarise(runs, 'baseline')
    diffs = np.array([3.0, 4.0, 0.0])
    mean, half = summary['mlic']['delta_mAP']
    assert mean == pytest.approx(diffs.mean())
    # t(0.975, 2) = 4.303
    assert half == pytest.approx(
        4.3027 * diffs.std(ddof=1) / np.sqrt(3), rel=1e-4)
    assert summary['baseline']['delta_mAP'] is None
    assert summary['mlic']['mAP'] == pytest.approx(
        (np.mean([63, 66, 61]), np.std([63, 66, 61], ddof=1)))


def pilot_row(method, epochs, ok, wall_s=600.0, median_iter_s=None):
    if median_iter_s is None:
        median_iter_s = wall_s / epochs / 79
    return dict(
        method=method,
        epochs=epochs,
        ok=ok,
        wall_s=wall_s,
        median_iter_s=median_iter_s)


def test_choose_epochs_takes_the_first_count_where_all_pass(tool):
    rows = [pilot_row(m, 10, m != 'mlgcn') for m in ('baseline', 'mlgcn')]
    assert tool.choose_epochs(rows, (10, 20)) == (10, False)
    rows += [pilot_row(m, 20, True) for m in ('baseline', 'mlgcn')]
    assert tool.choose_epochs(rows, (10, 20)) == (20, True)
    rows[-1]['ok'] = False  # nothing passes: the longest run, not met
    assert tool.choose_epochs(rows, (10, 20)) == (20, False)
    with pytest.raises(ValueError, match='no pilot rows'):
        tool.choose_epochs([], (10, 20))


def test_plan_hours_from_the_pilot_rates(tool):
    """Each method's seconds per epoch from its pilot runs (median step
    time x steps, not the wall time, which a pause inflates) times the
    epochs the plan gives it: tuning 6 x E/4 + 2 x E per tuned method, final
    runs every row x seeds x E at its owner's rate."""
    methods = [m[0] for m in tool.METHODS]
    pilots = {
        # a run paused for an hour: its wall time counts in the pilot's
        # hours, its median step time sets the rate
        'pretrained': [
            pilot_row(m, 10, True, 3960.0 if m == 'mlic' else 360.0,
                      360.0 / 10 / 79) for m in methods
        ],
        'scratch': [pilot_row(m, 10, True, 360.0) for m in methods],
    }
    epochs = dict(pretrained=10, scratch=10)
    hours = tool.plan_hours(pilots, epochs, dict(epochs), seeds=3)
    assert hours['pilot'] == pytest.approx((9 * 360 + 3960) / 3600)
    per_epoch = 36.0 / 3600  # hours
    assert hours['tuning'] == pytest.approx(2 * 5 * (6 * 2 + 2 * 10) *
                                            per_epoch)
    # one T row is MLIC's own T and is not run
    rows = len(tool.final_rows('pretrained')) - 1 + len(
        tool.final_rows('scratch'))
    assert rows == 13 + 5
    assert hours['final'] == pytest.approx(rows * 3 * 10 * per_epoch)
    assert hours['total'] == pytest.approx(hours['pilot'] + hours['tuning'] +
                                           hours['final'])
    assert tool.rung_epochs(10) == [2, 10] and tool.rung_epochs(20) == [5, 20]
    # a slowed run does not raise a method's rate: the fastest run sets it
    pilots['scratch'].append(pilot_row('mlic', 20, True, 9000.0, 1.0))
    assert tool.plan_hours(
        pilots, epochs, dict(epochs),
        seeds=3)['tuning'] == pytest.approx(hours['tuning'])


def test_median_iter_time_ignores_a_pause(tool):
    log = canned_train_log([100.0] * 9)
    lines = log.split('\n')
    lines = [line.replace('time: 0.2', 'time: 0.3') for line in lines[:8]
             ] + [lines[8].replace('time: 0.2', 'time: 2400.0')]
    assert tool.median_iter_s('\n'.join(lines)) == pytest.approx(0.3)
    # validation and test records time other steps: not counted
    val = ('12/03 10:00:00 - mmengine - INFO - Epoch(val) [1][8/8]  '
           'eta: 0:00:00  time: 5.0  data_time: 0.1')
    assert tool.median_iter_s('\n'.join(lines + [val] * 20)) == \
        pytest.approx(0.3)
    with pytest.raises(ValueError, match='no training iteration time'):
        tool.median_iter_s('nothing')


def test_a_resumed_log_counts_each_step_once(tool):
    """A resumed run logs again the steps after its checkpoint: each global
    step is read once, the later record kept."""
    first = canned_train_log([100.0] * 30)
    again = canned_train_log([100.0] * 20 + [50.0] * 30)
    losses = tool.train_losses(first + '\n' + again)
    assert len(losses) == 50
    assert losses[:, 0].tolist() == sorted(set(losses[:, 0].tolist()))
    assert losses[-1, 1] == 50.0


def epoch_log(records):
    """A training log of (epoch, iteration, lr, loss) records."""
    return '\n'.join(
        f'12/03 10:00:00 - mmengine - INFO - Epoch(train) [{e}][{i:>2}/79]  '
        f'base_lr: {lr:.4e} lr: {lr:.4e}  eta: 0:00:01  time: 0.2  '
        f'data_time: 0.01  loss: {loss:.4f}' for e, i, lr, loss in records)


def test_curves_put_per_epoch_losses_side_by_side(tool, tmp_path):
    """Each row's mean logged loss per epoch, a resumed step read once (the
    later record), the first row's learning rate at each epoch's start."""
    folder = tmp_path / 'final' / 'pretrained'
    (folder / 'baseline').mkdir(parents=True)
    (folder / 'mlic').mkdir()
    (folder / 'baseline' / 'seed_0.log').write_text(
        epoch_log([(1, 10, 1e-4, 100.0), (1, 20, 2e-4, 80.0),
                   (2, 10, 3e-4, 60.0), (2, 20, 3e-4, 40.0)]))
    # interrupted after epoch 1's first record, resumed: epoch 1 again
    (folder / 'mlic' / 'seed_0.log').write_text(
        epoch_log([(1, 10, 1e-4, 999.0)]) + '\n' +
        epoch_log([(1, 10, 1e-4, 110.0), (1, 20, 2e-4, 90.0)]))
    table = tool.curves_table(str(tmp_path), 'pretrained', 0)
    lines = table.splitlines()
    assert lines[0] == 'Per-epoch mean of `loss`, seed 0:'
    assert lines[2] == '| epoch | lr at its start | baseline | mlic |'
    assert lines[4] == '| 1 | 1.00e-04 | 90.0 | 100.0 |'
    assert lines[5] == '| 2 | 3.00e-04 | 50.0 | — |'
    assert len(lines) == 6
    # rows in the order asked for
    table = tool.curves_table(
        str(tmp_path), 'pretrained', 0, ['mlic', 'baseline'])
    assert table.splitlines()[4] == '| 1 | 1.00e-04 | 100.0 | 90.0 |'
    # any logged value: a graph statistic, not confused with a longer key
    log = epoch_log([(1, 10, 1e-4, 5.0)]).replace(
        'loss: 5.0000', 'loss: 5.0000  graph/present_present_x: 9  '
        'graph/present_present: 0.0125')
    means = tool.epoch_means(log, 'graph/present_present')
    assert means == {1: (1e-4, 0.0125)}
    assert tool.epoch_means(log) == {1: (1e-4, 5.0)}
    with pytest.raises(ValueError, match='no training graph/absent'):
        tool.epoch_means(log, 'graph/absent')
    with pytest.raises(FileNotFoundError, match='csra.*seed 0'):
        tool.curves_table(str(tmp_path), 'pretrained', 0, ['csra'])
    with pytest.raises(ValueError, match="unknown row key.*'mlicc'"):
        tool.curves_table(str(tmp_path), 'pretrained', 0, ['mlicc'])
    with pytest.raises(FileNotFoundError, match='no final-run log at seed 1'):
        tool.curves_table(str(tmp_path), 'pretrained', 1)
    with pytest.raises(ValueError, match='no training loss'):
        tool.epoch_means('nothing logged')


def test_final_table_flags_a_run_whose_loss_rose(tool, tmp_path):
    """The last column: how far a row's epoch-mean training loss rose above
    its lowest earlier epoch, worst seed; "—" without the logs."""
    assert tool.loss_rise({1: (0, 10.0), 2: (0, 8.0), 3: (0, 6.0)}) == 0
    # 115 -> 164, MLIC's first final run
    assert tool.loss_rise({
        1: (0, 179.0),
        2: (0, 115.0),
        3: (0, 164.0),
        4: (0, 106.0)
    }) == pytest.approx(164 / 115 - 1)
    work = str(tmp_path)
    for key, losses in (('baseline', [(100.0, 80.0), (100.0, 70.0)]),
                        ('mlic', [(100.0, 80.0), (100.0, 120.0)])):
        for seed, (first, second) in enumerate(losses):
            write_final(work, key, seed, 60.0 + seed)
            path = osp.join(work, 'final', 'pretrained', key,
                            f'seed_{seed}.log')
            with open(path, 'w') as f:
                f.write(
                    epoch_log([(1, 10, 1e-3, first), (2, 10, 1e-3, second)]))
    write_final(work, 'csra', 0, 70.0)  # no log
    rows = {
        line.split(' | ')[0][2:]: line
        for line in tool.final_table(work, 'pretrained').splitlines()[2:]
    }

    def rise(title):  # the second-last cell; the last is the CPU kernels
        return rows[title].split(' | ')[-2]

    assert rise('baseline (GAP + linear)') == '0 %'
    # seed 0 falls, seed 1 rises 120 / 100: the worst seed counts
    assert rise('MLIC') == '20 %'
    assert rise('CSRA (mmpretrain)') == '—'
    # logs without mmengine's environment header: kernel set unknown
    assert rows['MLIC'].endswith('| ?: 0, 1 |')


def test_final_table_says_which_cpu_kernels_each_seed_ran_on(tool, tmp_path):
    """Seeds trained on different machines are marked by the kernel set
    torch logged; a run resumed on another machine shows both."""
    work = str(tmp_path)
    headers = {
        0: ['AVX2'],
        1: ['AVX2', 'AVX512'],  # started on one machine, resumed on another
        2: ['AVX512']
    }
    for seed, kernels in headers.items():
        write_final(work, 'mlic', seed, 60.0 + seed)
        path = osp.join(work, 'final', 'pretrained', 'mlic',
                        f'seed_{seed}.log')
        with open(path, 'w') as f:
            for name in kernels:
                f.write(f'    - CPU capability usage: {name}\n' +
                        epoch_log([(1, 10, 1e-3, 50.0)]) + '\n')
    logs = tool.final_run_logs(work, 'pretrained', 'mlic', [0, 1, 2, 3])
    assert logs[3] is None  # no such run: its log is missing
    first_three = {seed: logs[seed] for seed in (0, 1, 2)}
    assert tool.cpu_kernels_cell(first_three) == ('AVX2: 0; AVX2+AVX512: 1; '
                                                  'AVX512: 2')
    row = next(
        line for line in tool.final_table(work, 'pretrained').split('\n')
        if line.startswith('| MLIC |'))
    assert row.endswith('| AVX2: 0; AVX2+AVX512: 1; AVX512: 2 |')
    assert tool.cpu_kernels_cell({3: logs[3]}) == '?: 3'


def write_final(work_dir, key, seed, test_map):
    run_dir = osp.join(work_dir, 'final', 'pretrained', key, f'seed_{seed}')
    os.makedirs(run_dir)
    with open(osp.join(run_dir, 'result.json'), 'w') as f:
        json.dump(
            dict(
                config='configs/mlic/mlic_singleglyphs-pre_multiglyphs-val.py',
                options=['train_cfg.max_epochs=20', f'randomness.seed={seed}'],
                test=dict(mAP=test_map, CF1=0, OF1=0),
                wall_s=60.0), f)


@pytest.mark.parametrize('reproduced, within', [(81.5, True), (83.0, False)])
def test_reproduce_retrains_the_recorded_run_and_checks_the_spread(
        tool, tmp_path, monkeypatch, capsys, reproduced, within):
    """The recorded seed-0 run is trained again with its own config and
    options, into another folder; its test mAP is compared with the
    recorded one against two standard deviations over the row's seeds
    (80, 81, 79: std 1)."""
    work, out = str(tmp_path / 'runs'), str(tmp_path / 'again')
    for seed, value in enumerate((80.0, 81.0, 79.0)):
        write_final(work, 'mlic', seed, value)
    calls = []

    def fake_train_run(run_dir, config, options, test=False):
        calls.append((run_dir, config, options, test))
        return dict(test=dict(mAP=reproduced))

    monkeypatch.setattr(tool, 'train_run', fake_train_run)
    monkeypatch.setattr('sys.argv', [
        'multiglyphs_protocol.py', 'reproduce', '--regime', 'pretrained',
        '--row', 'mlic', '--work-dir', work, '--out-dir', out
    ])
    with pytest.raises(SystemExit) as exit_info:
        tool.main()
    assert exit_info.value.code == (0 if within else 1)
    assert calls == [(osp.join(out, 'final', 'pretrained', 'mlic', 'seed_0'),
                      'configs/mlic/mlic_singleglyphs-pre_multiglyphs-val.py',
                      ['train_cfg.max_epochs=20', 'randomness.seed=0'], True)]
    printed = capsys.readouterr().out
    assert f'| reproduced here | {reproduced:.2f} |' in printed
    assert f'difference {reproduced - 80:+.2f}' in printed
    assert 'std 1.00' in printed
    assert ('within two std' in printed) == within


def test_reproduce_needs_the_recorded_run_and_a_spread(tool, tmp_path):
    work = str(tmp_path)
    with pytest.raises(FileNotFoundError, match='no recorded final run'):
        tool.reproduce(work, work, 'pretrained', 'mlic', 0)
    write_final(work, 'mlic', 0, 80.0)
    with pytest.raises(ValueError, match='1 recorded seed'):
        tool.reproduce(work, work, 'pretrained', 'mlic', 0)


def test_verdict_rule(tool):
    assert tool.verdict([(3.0, 1.0)]) == 'holds'
    assert tool.verdict([(3.0, 1.0), (0.5, 1.0)]) == 'not established'
    assert tool.verdict([(3.0, 1.0), (-2.0, 1.0)]) == 'does not hold'
    assert tool.verdict([(-0.5, 1.0)]) == 'not established'
    assert tool.verdict([(3.0, 1.0), None]) == 'not measured'
    assert tool.verdict([]) == 'not measured'


def test_verdict_table_on_canned_final_runs(tool, tmp_path):
    """Each claim's paired differences over the seeds and its verdict; the
    T claim compares MLIC (tuned to T = 2) with the T = 1 and T = 4 rows; a
    row without runs is 'not measured', a claim whose rows the regime does
    not train 'not part of this regime'."""
    work = str(tmp_path)
    maps = dict(
        baseline=(60.0, 61.0, 62.0),
        csra=(66.0, 67.0, 68.0),
        mlgcn=(60.0, 60.5, 61.0),
        q2l=(61.0, 63.0, 60.0),
        mlic=(63.0, 64.0, 65.5),
        mlic_no_gnn=(62.0, 64.5, 64.0),
        mlic_no_contrastive=(60.0, 61.2, 62.1),
        mlic_t1=(62.9, 63.8, 65.6),
        mlic_t4=(60.0, 61.0, 62.0))
    for key, values in maps.items():
        for seed, value in enumerate(values):
            write_final(work, key, seed, value)
    choice = osp.join(work, 'tune', 'pretrained', 'mlic')
    os.makedirs(choice)
    with open(osp.join(choice, 'choice.json'), 'w') as f:
        json.dump(dict(choice=dict(params=dict(num_steps=2))), f)
    rows = {
        line.split(' | ')[0][2:]: line
        for line in tool.verdict_table(work, 'pretrained').splitlines()[2:]
    }
    assert len(rows) == len(tool.CLAIMS)
    # +3, +3, +3.5 over the baseline: [+2.38, +3.96]
    beats_baseline = rows['MLIC beats the plain classifier (GAP + linear)']
    assert 'vs baseline (GAP + linear): +3.17 [+2.45, +3.88]' in \
        beats_baseline and beats_baseline.endswith('| holds |')
    assert rows["MLIC beats the field's heads (CSRA, ML-GCN-style, "
                'Query2Label-style)'].endswith('| does not hold |')
    assert rows['the gated graph network helps'].endswith(
        '| not established |')
    assert rows['the predicted co-occurrence beats a fixed uniform '
                'graph'].endswith('| not measured |')
    assert 'not run' in rows['the predicted co-occurrence beats a fixed '
                             'uniform graph']
    assert rows['the contrastive loss helps'].endswith('| holds |')
    t_row = rows['T: the value chosen on validation beats the other two']
    assert 'vs MLIC, T = 1' in t_row and 'vs MLIC, T = 4' in t_row
    assert 'T = 2' not in t_row and t_row.endswith('| not established |')
    scratch = tool.verdict_table(work, 'scratch')
    assert scratch.count('not part of this regime') == 4


def test_verdict_table_with_one_shared_seed(tool, tmp_path):
    """With one seed of both rows the cell gives that seed's difference,
    says it has no interval, and the verdict stays 'not measured'."""
    work = str(tmp_path)
    write_final(work, 'baseline', 0, 80.83)
    write_final(work, 'mlic', 0, 65.43)
    write_final(work, 'mlic', 1, 70.0)
    line = next(
        line for line in tool.verdict_table(work, 'pretrained').splitlines()
        if line.startswith('| MLIC beats the plain classifier'))
    assert 'vs baseline (GAP + linear): -15.40 (seed 0 only, no interval)' \
        in line and line.endswith('| not measured |')


def test_table_names_a_missing_runs_folder(tool, tmp_path, monkeypatch):
    missing = str(tmp_path / 'nothing_here')
    monkeypatch.setattr(
        'sys.argv',
        ['multiglyphs_protocol.py', 'table', '--work-dir', missing])
    with pytest.raises(SystemExit, match=f'no runs: {missing} does not'):
        tool.main()
    assert not osp.exists(missing)


def test_table_writes_each_regime_into_the_docs(tool, tmp_path, monkeypatch):
    """``table --update-doc``: each regime's final table and verdicts go
    between that regime's markers; the rest of the page stays."""
    work = str(tmp_path / 'runs')
    for seed, value in enumerate((60.0, 61.0)):
        write_final(work, 'baseline', seed, value)
        write_final(work, 'mlic', seed, value + 2)
    doc = tmp_path / 'benchmarks.md'
    page = ('intro\n' +
            tool.DOC_MARKER.format(prefix='', regime='pretrained') +
            '\nstale\n' + tool.DOC_MARKER_END + '\nbetween\n' +
            tool.DOC_MARKER.format(prefix='', regime='scratch') + '\nstale\n' +
            tool.DOC_MARKER_END + '\nend\n')
    doc.write_text(page)
    monkeypatch.setattr('sys.argv', [
        'multiglyphs_protocol.py', 'table', '--work-dir', work, '--update-doc',
        str(doc)
    ])
    tool.main()
    text = doc.read_text()
    assert 'stale' not in text
    assert text.startswith('intro\n') and text.endswith('end\n')
    pretrained = text.split('between')[0]
    assert '| MLIC | 2 | 62.50 ± 0.71 |' in pretrained
    assert '| claim |' in pretrained
    assert text.split('between')[1].count('| MLIC |') == 0  # scratch: none
    # a page without the markers is refused and left as it was
    doc.write_text('no markers\n')
    with pytest.raises(ValueError, match='has 0 .*final_pretrained'):
        tool.main()
    assert doc.read_text() == 'no markers\n'


def test_recipes_table_lists_each_tuned_choice(tool, tmp_path):
    work = str(tmp_path)
    for key, params in (('baseline', dict(lr=2.664e-3)),
                        ('mlic',
                         dict(lr=9.15e-4, loss_weight=0.1, num_steps=4))):
        folder = osp.join(work, 'tune', 'pretrained', key)
        os.makedirs(folder)
        params = dict(
            dict(backbone_lr_mult=0.3, weight_decay=5.3e-4, gamma_neg=4.0),
            **params)
        with open(osp.join(folder, 'choice.json'), 'w') as f:
            json.dump(
                dict(choice=dict(trial=3, params=params, val_mAP=74.1)), f)
    lines = tool.recipes_table(work, 'pretrained').splitlines()
    assert lines[2:] == [
        '| baseline (GAP + linear) | 3 | 2.66e-03 | 0.3 | 5.3e-04 | 4 | — | — '
        '| 74.10 |', '| MLIC | 3 | 9.15e-04 | 0.3 | 5.3e-04 | 4 | 0.1 | 4 | '
        '74.10 |'
    ]  # CSRA, ML-GCN-style and Query2Label-style not tuned: left out
    assert tool.recipes_table(work, 'scratch').count('\n') == 2


def test_committed_tables_are_what_the_committed_runs_give(tool, tmp_path):
    """docs/benchmarks.md's protocol tables and the committed
    final_<regime>.md are `table --update-doc` on the committed runs: a
    run added without rewriting the tables, or a table edited by hand,
    fails here."""
    import shutil
    src = osp.join(REPO_ROOT, 'benchmarks', 'multiglyphs_protocol')
    work = str(tmp_path / 'runs')
    shutil.copytree(src, work)
    doc = str(tmp_path / 'benchmarks.md')
    shutil.copy(osp.join(REPO_ROOT, 'docs', 'benchmarks.md'), doc)
    tool.write_reports(work, doc)
    with open(
            doc, encoding='utf-8') as f, open(
                osp.join(REPO_ROOT, 'docs', 'benchmarks.md'),
                encoding='utf-8') as committed:
        assert f.read() == committed.read(), (
            'docs/benchmarks.md differs from `python tools/analysis_tools/'
            'multiglyphs_protocol.py table --update-doc docs/benchmarks.md`')
    for regime in tool.REGIMES:
        name = f'final_{regime}.md'
        with open(osp.join(work, name)) as f, open(osp.join(src, name)) as g:
            assert f.read() == g.read(), f'{name} is not current'


def test_graph_table_reads_the_last_epochs_diagnostics(tool, tmp_path):
    """One line per final run that logs the graph diagnostics: the last
    epoch's means over the steps that define them ("undefined" where none
    does), "—" for a value the run does not log (λ = 0), beside its loss
    rise and test mAP; rows without graph logs are left out."""
    work = str(tmp_path)

    def graph_log(records, contrastive=True, corr='0.1000'):
        lines = []
        for epoch, pp, pa, *step in records:
            extra = '  graph/contrastive_minus_log2: 0.5000' \
                if contrastive else ''
            lines.append(
                epoch_log([(epoch, step[0] if step else 10, 1e-3,
                            100.0 / epoch)]) +
                f'  graph/present_present: {pp}  graph/present_absent: {pa}'
                f'  graph/corr_with_data: {corr}{extra}')
        return '\n'.join(lines)

    logs = [
        ('mlic', graph_log([(1, 0.4, 0.4), (2, 0.02, 0.01)])),
        ('mlic_no_contrastive', graph_log([(1, 0.3, 0.3)], contrastive=False)),
        # a constant graph's correlation is logged as nan
        ('mlic_uniform_graph', graph_log([(1, 0.5, 0.5)], corr='nan')),
        # a logging window without two present labels: nan, skipped
        ('mlic_t2', graph_log([(1, 'nan', 0.2, 10), (1, 0.06, 0.4, 20)])),
        ('baseline', epoch_log([(1, 10, 1e-3, 50.0)])),
    ]
    for key, text in logs:
        write_final(work, key, 0, 70.0)
        with open(
                osp.join(work, 'final', 'pretrained', key, 'seed_0.log'),
                'w') as f:
            f.write(text)
    lines = tool.graph_table(work, 'pretrained', 0).splitlines()
    assert lines[0].count(' | ') == lines[1].count(' | ') == 6
    assert lines[2] == ('| MLIC | 0.0200 | 0.0100 | +0.1000 | 0.5000 | 0 % '
                        '| 70.00 |')
    assert lines[3] == ('| MLIC without contrastive loss (λ = 0) | 0.3000 | '
                        '0.3000 | +0.1000 | — | 0 % | 70.00 |')
    assert lines[4] == ('| MLIC with a fixed uniform graph | 0.5000 | 0.5000 '
                        '| undefined | 0.5000 | 0 % | 70.00 |')
    assert lines[5] == ('| MLIC, T = 2 | 0.0600 | 0.3000 | +0.1000 | 0.5000 '
                        '| 0 % | 70.00 |')
    assert len(lines) == 6
    # no run at that seed (or in that regime) logs the graph: a sentence
    assert tool.graph_table(work, 'pretrained', 1) == (
        'No final run of the pretrained regime at seed 1 that logs the graph '
        'has finished yet.\n')


def test_update_doc_writes_the_graph_tables_a_doc_asks_for(tool, tmp_path):
    """`table --update-doc` fills each graph-table marker with
    graph_table(regime, seed), each stability marker with
    stability_table(regime), and refuses a marker naming no regime."""
    work = str(tmp_path / 'runs')
    write_final(work, 'mlic', 1, 70.0)
    with open(
            osp.join(work, 'final', 'pretrained', 'mlic', 'seed_1.log'),
            'w') as f:
        f.write(
            epoch_log([(1, 10, 1e-3, 100.0)]) +
            '  graph/present_present: 0.2  graph/present_absent: 0.1'
            '  graph/corr_with_data: 0.3  graph/contrastive_minus_log2: 0.4')
    doc = tmp_path / 'doc.md'
    markers = ''.join(f'<!-- multiglyphs_protocol:final_{regime} -->\nold\n'
                      '<!-- /multiglyphs_protocol -->\n'
                      for regime in tool.REGIMES)
    doc.write_text(markers + 'text\n<!-- multiglyphs_protocol:'
                   'graph_pretrained_seed1 -->\nold graph\n'
                   '<!-- /multiglyphs_protocol -->\nafter\n'
                   '<!-- multiglyphs_protocol:stability_pretrained -->\n'
                   'old stability\n<!-- /multiglyphs_protocol -->\n')
    tool.write_reports(work, str(doc))
    text = doc.read_text()
    table = tool.graph_table(work, 'pretrained', 1)
    assert '| MLIC | 0.2000 | 0.1000 | +0.3000 | 0.4000 |' in table
    assert ('<!-- multiglyphs_protocol:graph_pretrained_seed1 -->\n' + table +
            '<!-- /multiglyphs_protocol -->\nafter\n') in text
    assert 'old graph' not in text
    stability = tool.stability_table(work, 'pretrained')
    assert '| MLIC | 0 %, 70.00 |' in stability
    assert ('<!-- multiglyphs_protocol:stability_pretrained -->\n' +
            stability + '<!-- /multiglyphs_protocol -->\n') in text
    assert 'old stability' not in text
    doc.write_text(markers + '<!-- multiglyphs_protocol:graph_nowhere_seed0'
                   ' -->\n<!-- /multiglyphs_protocol -->\n')
    with pytest.raises(ValueError, match="names regime 'nowhere'"):
        tool.write_reports(work, str(doc))
    doc.write_text(markers + '<!-- multiglyphs_protocol:stability_nowhere'
                   ' -->\n<!-- /multiglyphs_protocol -->\n')
    with pytest.raises(ValueError, match="names regime 'nowhere'"):
        tool.write_reports(work, str(doc))


def test_progress_counts_what_is_left_and_estimates_its_time(tool, tmp_path):
    """Finished seeds, the run under way at its checkpointed epoch, epochs
    left and minutes per epoch (median logged iteration time x iterations
    per epoch); a row without a finished run borrows its rate from the
    same row in the other regime, else from its regime; MLIC's own T row
    is not a run of its own."""
    work = str(tmp_path)
    assert 'no plan.json' in tool.progress(work)
    with open(osp.join(work, 'plan.json'), 'w') as f:
        json.dump(dict(epochs=dict(pretrained=4, scratch=4), seeds=[0, 1]), f)
    choice = osp.join(work, 'tune', 'pretrained', 'mlic')
    os.makedirs(choice)
    with open(osp.join(choice, 'choice.json'), 'w') as f:
        json.dump(dict(choice=dict(params=dict(num_steps=2))), f)
    write_final(work, 'baseline', 0, 70.0)
    run_dir = osp.join(work, 'final', 'pretrained', 'baseline', 'seed_0')
    with open(run_dir + '.log', 'w') as f:
        # iteration times 0.2 (epoch_log), one record inflated by a pause
        f.write(
            epoch_log([(1, 10, 1e-3, 9.0), (1, 20, 1e-3, 8.0)]) + '\n' +
            epoch_log([(2, 10, 1e-3, 7.0)]).replace('time: 0.2', 'time: 60.0'))
    under_way = osp.join(work, 'final', 'pretrained', 'baseline', 'seed_1')
    os.makedirs(under_way)
    with open(osp.join(under_way, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(under_way, 'epoch_3.pth'))
    rows = {
        tuple(line.split(' | ')[:2]): line
        for line in tool.progress(work).splitlines()
        if line.startswith('| pretrained') or line.startswith('| scratch')
    }
    rate = 0.2 * 79 / 60  # the median ignores the paused record
    assert rows[('| pretrained', 'baseline')] == (
        f'| pretrained | baseline | 0 | seed 1 at epoch 3 | 1 | {rate:.2f} |')
    assert rows[(
        '| scratch',
        'baseline')].endswith(f'| — | — | 8 | {rate:.2f} (estimate) |')
    assert rows[('| pretrained',
                 'mlic')].endswith(f'| 8 | {rate:.2f} (estimate) |')
    # no rate in its row or regime: the median of all rows
    assert rows[('| scratch',
                 'mlic')].endswith(f'| 8 | {rate:.2f} (estimate) |')
    assert ('| pretrained', 'mlic_t2') not in rows
    assert ('| pretrained', 'mlic_t1') in rows
    text = tool.progress(work)
    runs = len(rows) * 2 - 1
    epochs = 1 + (len(rows) - 1) * 8
    assert f'{epochs} training epochs left in {runs} runs, about ' \
        f'{epochs * rate / 60:.1f} hours' in text
    assert 'at the pace of the run under way' not in text  # it has no log
    # the run under way has a log: started on the old machine at 0.2 s a
    # step, resumed on one twice as fast (0.1 s); only the last attempt,
    # from its environment header on, sets the pace
    with open(under_way + '.log', 'w') as f:
        f.write('System environment:\n' +
                epoch_log([(1, 10, 1e-3, 9.0), (1, 20, 1e-3, 8.0)]) +
                '\nSystem environment:\n' +
                epoch_log([(3, 10, 1e-3, 7.0), (
                    3, 20, 1e-3, 6.0)]).replace('time: 0.2', 'time: 0.1'))
    text = tool.progress(work)
    assert (f'at the pace of the run under way (pretrained baseline: '
            f'{rate / 2:.2f} min an epoch, 0.50 times its finished runs\' '
            f'{rate:.2f}), about {epochs * rate / 2 / 60:.1f} hours') in text


def test_rank_correlation_is_spearmans(tool):
    """Pearson's correlation of the ranks; tied values share their mean
    rank (checked by hand: ranks 1, 2.5, 2.5, 4 against 1, 2, 3, 4 give
    4.5 / sqrt(4.5 * 5) = 0.9487)."""
    assert tool.rank_correlation([1, 2, 3, 4], [10, 20, 30, 40]) == \
        pytest.approx(1.0)
    assert tool.rank_correlation([1, 2, 3, 4], [9, 7, 5, 1]) == \
        pytest.approx(-1.0)
    # monotone but not linear: ranks only
    assert tool.rank_correlation([1, 2, 3, 4], [1, 8, 27, 1000]) == \
        pytest.approx(1.0)
    assert tool.rank_correlation([1, 2, 2, 3], [1, 2, 3, 4]) == \
        pytest.approx(4.5 / np.sqrt(4.5 * 5))
    # a constant sequence: undefined, not a warning and a number
    assert np.isnan(tool.rank_correlation([0.0] * 5, [1, 2, 3, 4, 5]))


def test_stability_table_puts_each_runs_rise_beside_its_score(tool, tmp_path):
    """A cell per seed (rise, test mAP), the rank correlation over the MLIC
    rows' runs once there are enough, the other rows' largest rise; a row
    whose log is missing is left out."""
    work = str(tmp_path)
    falls = epoch_log([(1, 10, 1e-3, 100.0), (2, 10, 1e-3, 80.0)])
    # MLIC-family runs: the more the loss rises, the lower the score
    family = {
        ('mlic', 0): (120.0, 60.0),
        ('mlic', 1): (110.0, 70.0),
        ('mlic', 2): (100.0, 80.0),
        ('mlic_t1', 0): (150.0, 40.0),
        ('mlic_t1', 1): (140.0, 50.0),
    }
    for (key, seed), (after, score) in family.items():
        write_final(work, key, seed, score)
        with open(
                osp.join(work, 'final', 'pretrained', key, f'seed_{seed}.log'),
                'w') as f:
            # 100 at epoch 1, 80 at epoch 2, then `after`: rise after / 80
            f.write(falls + '\n' + epoch_log([(3, 10, 1e-3, after)]))
    write_final(work, 'baseline', 0, 81.0)
    with open(
            osp.join(work, 'final', 'pretrained', 'baseline', 'seed_0.log'),
            'w') as f:
        f.write(
            epoch_log([(1, 10, 1e-3, 100.0), (2, 10, 1e-3, 80.0),
                       (3, 10, 1e-3, 80.8)]))
    write_final(work, 'csra', 0, 84.0)  # no log: left out
    table = tool.stability_table(work, 'pretrained')
    rows = {
        line.split(' | ')[0].lstrip('| '): line
        for line in table.splitlines() if line.startswith('| ')
    }
    assert rows['MLIC'] == ('| MLIC | 50 %, 60.00 | 38 %, 70.00 '
                            '| 25 %, 80.00 |')
    assert rows['MLIC, T = 1'].endswith('| 75 %, 50.00 | — |')
    assert 'CSRA (mmpretrain)' not in rows
    assert 'over the 5 runs of the MLIC rows: -1.00.' in table
    assert "Largest rise among the other rows' runs (1): 1.0 %." in table
    # fewer than five family runs: no correlation claimed
    os.remove(osp.join(work, 'final', 'pretrained', 'mlic_t1', 'seed_1.log'))
    table = tool.stability_table(work, 'pretrained')
    assert 'Rank correlation' not in table
    assert '3 runs of the MLIC rows: too few' in table


def write_choice(tool, work_dir, regime, key, rung1, epochs=10):
    """A finished tuning record: rung 0 of six trials, rung 1 the two
    trials of ``rung1`` ({trial: validation mAP}), the better chosen."""
    trials = tool.sample_trials()
    folder = osp.join(work_dir, 'tune', regime, key)
    os.makedirs(folder, exist_ok=True)
    params = {i: tool.trial_params(trials[i], key) for i in range(len(trials))}
    best = max(rung1, key=rung1.get)
    record = dict(
        regime=regime,
        method=key,
        epochs=epochs,
        rungs=[
            dict(
                epochs=2,
                trials=[
                    dict(trial=i, params=params[i], val_mAP=10.0 + i)
                    for i in range(len(trials))
                ]),
            dict(
                epochs=epochs,
                trials=[
                    dict(trial=i, params=params[i], val_mAP=v)
                    for i, v in rung1.items()
                ])
        ],
        choice=dict(trial=best, params=params[best], val_mAP=rung1[best]))
    with open(osp.join(folder, 'choice.json'), 'w') as f:
        json.dump(record, f)
    return record


def test_amend_tuning_reruns_the_promoted_trials_at_the_final_length(
        tool, tmp_path):
    """Amendment 2: rung 0 stays as committed; the two trials it promoted
    are read (here: canned, so nothing trains) at the final length, and the
    better of them is the amended choice, even where the half-length rung
    chose the other."""
    work = str(tmp_path)
    committed = write_choice(tool, work, 'scratch', 'csra', {2: 70.0, 5: 38.0})
    base = tmp_path / 'amended' / 'tune' / 'scratch' / 'csra'
    write_result(str(base / 'rung1' / 'trial_2'), 61.0)  # broke at 20
    write_result(str(base / 'rung1' / 'trial_5'), 66.5)
    record = tool.amend_tuning(work, 'scratch', 'csra', 'configs/csra/csra',
                               20)
    assert record['rungs'][0] == committed['rungs'][0]
    assert record['rungs'][1]['epochs'] == 20
    assert [t['trial'] for t in record['rungs'][1]['trials']] == [2, 5]
    assert record['amends'] == dict(epochs=10, trial=2)
    assert record['choice'] == dict(
        trial=5, params=tool.sample_trials()[5]['shared'], val_mAP=66.5)
    # beside the committed rung 1, with each amended run's loss rise (the
    # rung-1 trial 2 log: epoch means 100, 80, 120 -> 50 %)
    with open(str(base / 'rung1' / 'trial_2') + '.log', 'w') as f:
        f.write(canned_train_log([100.0] * 8 + [80.0] * 8 + [120.0] * 8, 80))
    assert tool.amendment_tuning_table(work, 'scratch').splitlines()[2:] == [
        '| CSRA (mmpretrain) | 2 | 2.66e-03 | 70.00 (10 epochs) | 61.00 | '
        '50 % | 2 → 5 |',
        '| CSRA (mmpretrain) | 5 | 4.50e-04 | 38.00 (10 epochs) | 66.50 | — '
        '| 2 → 5 |'
    ]
    # the amended folder is read like a campaign's
    assert tool.chosen_params(str(tmp_path / 'amended'), 'scratch',
                              'csra') == tool.sample_trials()[5]['shared']
    # the committed record is not touched
    assert json.loads((tmp_path / 'tune' / 'scratch' / 'csra' /
                       'choice.json').read_text()) == committed
    with pytest.raises(FileNotFoundError, match='mlic has no tuned recipe'):
        tool.amend_tuning(work, 'scratch', 'mlic', 'configs/mlic/mlic', 20)


def write_recorded_final(tool, work, row, seed, test_map, options=None):
    """A committed final run recorded with the options its recipe gives,
    with its training and test logs."""
    config, opts = tool.final_run_options(work, 'scratch', row, 20, seed)
    run_dir = tool.final_run_dir(work, 'scratch', row[0], seed)
    os.makedirs(run_dir)
    with open(osp.join(run_dir, 'result.json'), 'w') as f:
        json.dump(
            dict(
                config=config,
                options=options or opts,
                test=dict(mAP=test_map, CF1=1.0, OF1=2.0),
                params=1000,
                wall_s=60.0), f)
    with open(run_dir + '.log', 'w') as f:
        f.write(canned_train_log([100.0 - seed, 90.0, 80.0]))
    with open(run_dir + '.test.log', 'w') as f:
        f.write(f'{row[0]} seed {seed}: test\n')


def canned_amendment(tool, work):
    """The scratch regime tuned: MLIC's choice changes at the final length
    (trial 2 -> trial 3), every other method's stays; two final seeds of
    each row recorded."""
    rung1 = dict(
        baseline=({
            2: 64.0,
            3: 34.0
        }, {
            2: 75.0,
            3: 50.0
        }),
        csra=({
            2: 69.0,
            5: 38.0
        }, {
            2: 80.0,
            5: 60.0
        }),
        mlgcn=({
            2: 60.0,
            5: 33.0
        }, {
            2: 72.0,
            5: 55.0
        }),
        q2l=({
            2: 28.0,
            5: 35.0
        }, {
            2: 30.0,
            5: 48.0
        }),
        mlic=({
            2: 32.0,
            3: 27.0
        }, {
            2: 40.0,
            3: 58.0
        }))
    rows = {row[0]: row for row in tool.final_rows('scratch')}
    for key, (committed, amended) in rung1.items():
        write_choice(tool, work, 'scratch', key, committed)
        base = osp.join(work, 'amended', 'tune', 'scratch', key, 'rung1')
        for trial, value in amended.items():
            write_result(osp.join(base, f'trial_{trial}'), value)
        for seed in (0, 1):
            write_recorded_final(tool, work, rows[key], seed, 50.0 + seed)
    with open(osp.join(work, 'plan.json'), 'w') as f:
        json.dump(dict(epochs=dict(pretrained=20, scratch=20)), f)
    return rows


def test_reuse_copies_the_runs_whose_recipe_did_not_change(tool, tmp_path):
    work = str(tmp_path)
    rows = canned_amendment(tool, work)
    for key in rows:
        tool.amend_tuning(work, 'scratch', key, rows[key][2], 20)
    copied = tool.reuse_unchanged_finals(work, 'scratch', 20, [0, 1])
    assert copied == [
        f'{key}/seed_{seed}' for key in ('baseline', 'csra', 'mlgcn', 'q2l')
        for seed in (0, 1)
    ]
    amended = osp.join(work, 'amended')
    for entry in copied:
        key, seed = entry.split('/seed_')
        src = tool.final_run_dir(work, 'scratch', key, int(seed))
        dst = tool.final_run_dir(amended, 'scratch', key, int(seed))
        for name in ('/result.json', '.log', '.test.log'):
            with open(src + name) as f, open(dst + name) as g:
                assert f.read() == g.read()
    # MLIC's recipe changed: its runs are not copied
    assert not osp.exists(tool.final_run_dir(amended, 'scratch', 'mlic', 0))
    assert tool.reuse_unchanged_finals(work, 'scratch', 20, [0, 1]) == []
    # a recorded run whose options are not the amended recipe's is refused
    bad = str(tmp_path / 'bad')
    rows = canned_amendment(tool, bad)
    shutil.rmtree(tool.final_run_dir(bad, 'scratch', 'csra', 1))
    write_recorded_final(
        tool, bad, rows['csra'], 1, 50.0, options=['randomness.seed=7'])
    for key in rows:
        tool.amend_tuning(bad, 'scratch', key, rows[key][2], 20)
    with pytest.raises(ValueError, match='csra/seed_1: recorded with'):
        tool.reuse_unchanged_finals(bad, 'scratch', 20, [0, 1])


def test_amend_trains_only_the_changed_recipes_and_writes_its_tables(
        tool, tmp_path, monkeypatch, capsys):
    """``amend``: the tuning reads the canned rung-1 runs, the unchanged
    rows' final runs are copied, only MLIC (whose recipe changed) trains,
    with the code root's training code; then the amendment's tables."""
    work = str(tmp_path / 'runs')
    canned_amendment(tool, work)
    trained = []

    def fake_train_run(run_dir, config, options, test=False, code_root=None):
        done = osp.join(run_dir, 'result.json')
        if osp.isfile(done):  # as train_run: a finished run is read
            with open(done) as f:
                return json.load(f)
        trained.append((osp.relpath(run_dir, work), code_root, test))
        result = dict(
            config=config,
            options=options,
            val=dict(mAP=1.0, CF1=0.0, OF1=0.0),
            test=dict(mAP=60.0 + len(trained), CF1=0.0, OF1=0.0),
            params=5000,
            wall_s=30.0)
        os.makedirs(run_dir)
        with open(osp.join(run_dir, 'result.json'), 'w') as f:
            json.dump(result, f)
        return result

    monkeypatch.setattr(tool, 'train_run', fake_train_run)
    # the code root's configs are read for the runs' options
    shutil.copytree(
        osp.join(REPO_ROOT, 'configs'), str(tmp_path / 'checkout' / 'configs'))
    monkeypatch.setattr('sys.argv', [
        'multiglyphs_protocol.py', 'amend', '--regime', 'scratch', '--seeds',
        '0', '1', '--work-dir', work, '--code-root',
        str(tmp_path / 'checkout')
    ])
    tool.main()
    checkout = str(tmp_path / 'checkout')
    assert trained == [(f'amended/final/scratch/mlic/seed_{seed}', checkout,
                        True) for seed in (0, 1)]
    out = capsys.readouterr().out
    assert '[amended scratch mlic] choice: trial 3 (was 2)' in out
    assert '[amended scratch baseline] choice: trial 2 (was 2)' in out
    assert '[amended scratch] reused 8 final runs' in out
    report = (tmp_path / 'runs' / 'amended' / 'final_scratch.md').read_text()
    assert '| MLIC | 2 | 61.50 ± 0.71 |' in report  # the new runs: 61, 62
    assert '| baseline (GAP + linear) | 2 | 50.50 ± 0.71 |' in report
    # the recipes table shows the amended choice with its 20-epoch score
    assert '| MLIC | 3 | 9.15e-04 |' in report
    assert report.rstrip().endswith('| 58.00 |')
    # and first, its tuning beside the committed one
    assert report.startswith('| method | trial | peak lr | validation mAP, '
                             'committed rung 1 |')
    assert '| MLIC | 3 | 9.15e-04 | 27.00 (10 epochs) | 58.00 | — | 2 → 3 |' \
        in report
    # its plan, for `progress --work-dir RUNS/amended`; the pretrained
    # regime, not re-tuned here, is not counted as left
    progress = tool.progress(str(tmp_path / 'runs' / 'amended'))
    assert 'scratch | mlic | 0, 1 | — | 0 |' in progress
    assert '| pretrained | mlic | — | waits for its amended tuning | 0 |' \
        in progress
    assert progress.startswith('| regime |')
    assert '0 training epochs left in 0 runs' in progress
    assert '14 rows wait for their amended tuning' in progress
    # the campaign's own tables are written too, from its own runs
    assert '| MLIC | 2 | 50.50 ± 0.71 |' in (tmp_path / 'runs' /
                                             'final_scratch.md').read_text()


def test_progress_counts_the_amendments_tuning_runs(tool, tmp_path):
    """In the amendment's folder, a method without an amended choice lists
    its re-tuning runs (the committed rung 1's trials, at the final length)
    as left, finished or under way, at its final runs' rate as an estimate;
    its rows wait and count nothing."""
    work = str(tmp_path / 'runs')
    write_choice(tool, work, 'scratch', 'csra', {2: 70.0, 5: 60.0})
    amended = osp.join(work, 'amended')
    os.makedirs(amended)
    with open(osp.join(amended, 'plan.json'), 'w') as f:
        json.dump(
            dict(
                epochs=dict(pretrained=20, scratch=20),
                seeds=[0, 1, 2],
                amendment=2), f)
    rung1 = osp.join(amended, 'tune', 'scratch', 'csra', 'rung1')
    write_result(osp.join(rung1, 'trial_2'), 71.0)
    os.makedirs(osp.join(rung1, 'trial_5'))
    with open(osp.join(rung1, 'trial_5', 'last_checkpoint'), 'w') as f:
        f.write(osp.join(rung1, 'trial_5', 'epoch_6.pth'))
    text = tool.progress(amended)
    assert ('| scratch | csra (amended tuning) | trial 2 | trial 5 at epoch '
            '6 | 14 |') in text
    assert '| scratch | csra | — | waits for its amended tuning | 0 | — |' \
        in text
    # no method has a finished run to go by: its 14 epochs have no rate
    assert '14 training epochs left in 1 run,' in text
    assert '14 epochs without any rate to go by not counted' in text
    # methods without a committed tuning have nothing to amend
    assert 'baseline (amended tuning)' not in text


def test_progress_goes_into_the_doc_with_its_time(tool, tmp_path):
    """``progress --update-doc`` writes the table between its markers under
    the time it was read; the rest of the page stays; the same progress
    again leaves the page unchanged; a page without the markers is refused,
    naming the marker."""
    import datetime
    doc = tmp_path / 'benchmarks.md'
    doc.write_text('before\n' + tool.PROGRESS_MARKER + '\nstale\n' +
                   tool.DOC_MARKER_END + '\nafter\n')
    when = datetime.datetime(2026, 12, 4, 2, 30, tzinfo=datetime.timezone.utc)
    tool.write_progress(str(doc), '| regime |\n\n3 epochs left.\n', when)
    text = doc.read_text()
    assert text.startswith('before\n' + tool.PROGRESS_MARKER +
                           '\nAs of 2026-12-04 02:30 UTC ')
    assert '| regime |\n\n3 epochs left.\n' + tool.DOC_MARKER_END + \
        '\nafter\n' in text
    assert 'stale' not in text
    # the same progress later (a finished campaign) leaves the page, time
    # included; a change rewrites it under the new time
    later = when + datetime.timedelta(hours=1)
    tool.write_progress(str(doc), '| regime |\n\n3 epochs left.\n', later)
    assert doc.read_text() == text
    tool.write_progress(str(doc), '| regime |\n\n2 epochs left.\n', later)
    assert 'As of 2026-12-04 03:30 UTC ' in doc.read_text()
    assert '2 epochs left.' in doc.read_text()
    other = tmp_path / 'other.md'
    other.write_text('no markers\n')
    with pytest.raises(ValueError, match='multiglyphs_protocol:progress'):
        tool.write_progress(str(other), 'x\n', when)
    assert other.read_text() == 'no markers\n'


def test_amended_tables_go_between_their_own_markers(tool, tmp_path):
    """Once the amendment has runs, ``table --update-doc`` writes them
    between the ``amended_`` markers and leaves the campaign's tables
    alone; a doc without those markers is refused."""
    work = str(tmp_path / 'runs')
    write_final(work, 'baseline', 0, 60.0)
    write_final(osp.join(work, 'amended'), 'baseline', 0, 70.0)
    doc = tmp_path / 'benchmarks.md'
    campaign = ''.join(
        tool.DOC_MARKER.format(prefix='', regime=r) + '\nstale\n' +
        tool.DOC_MARKER_END + '\n' for r in tool.REGIMES)
    doc.write_text(campaign)
    with pytest.raises(ValueError, match='amended_final_pretrained'):
        tool.write_reports(work, str(doc))
    amended = ''.join(
        tool.DOC_MARKER.format(prefix='amended_', regime=r) + '\nstale\n' +
        tool.DOC_MARKER_END + '\n' for r in tool.REGIMES)
    doc.write_text(campaign + amended +
                   '<!-- multiglyphs_protocol:amended_stability_pretrained '
                   '-->\nstale\n' + tool.DOC_MARKER_END + '\n')
    tool.write_reports(work, str(doc))
    text = doc.read_text()
    assert 'stale' not in text
    first, second = text.split('amended_final_pretrained')
    assert '| baseline (GAP + linear) | 1 | 60.00 |' in first
    assert '| baseline (GAP + linear) | 1 | 70.00 |' in second
    # the amendment's stability marker gets the amendment's table (whose
    # run has no log yet)
    assert text.split('amended_stability_pretrained -->\n')[1].startswith(
        'No final run of the pretrained regime with its log')


def test_summary_shows_every_regime_and_amendment_with_its_verdicts(
        tool, tmp_path):
    """The one-screen summary: a column per regime as designed and, once it
    has runs, with the amendment; each method's mean ± std (the seed count
    where it is not three), each claim's verdict from the same runs; it
    goes between its marker lines when the doc has them."""
    work = str(tmp_path / 'runs')
    for seed, (base, mlic) in enumerate([(60.0, 70.0), (61.0, 72.0),
                                         (62.0, 71.0)]):
        write_final(work, 'baseline', seed, base)
        write_final(work, 'mlic', seed, mlic)
        write_final(osp.join(work, 'amended'), 'baseline', seed, base)
    write_final(osp.join(work, 'amended'), 'mlic', 0, 55.0)
    table = tool.summary_table(work)
    lines = table.splitlines()
    assert lines[0] == ('| | pretrained, as designed | pretrained, '
                        'amendment 2 |')
    assert '| MLIC, test mAP | 71.00 ± 1.00 | 55.00 (1 seed) |' in lines
    assert '| baseline (GAP + linear), test mAP | 61.00 ± 1.00 | 61.00 ± ' \
        '1.00 |' in lines
    assert '| CSRA (mmpretrain), test mAP | — | — |' in lines
    # paired differences 10, 11, 9: the interval lies above zero; the
    # amendment has one MLIC seed: no interval
    assert ('| MLIC beats the plain classifier (GAP + linear) | holds | '
            'not measured |') in lines
    assert ("| MLIC beats the field's heads (CSRA, ML-GCN-style, "
            "Query2Label-style) | not measured | not measured |") in lines
    doc = tmp_path / 'benchmarks.md'
    markers = ''.join(
        tool.DOC_MARKER.format(prefix=p, regime=r) + '\nstale\n' +
        tool.DOC_MARKER_END + '\n' for p in ('', 'amended_')
        for r in tool.REGIMES)
    doc.write_text('intro\n' + tool.SUMMARY_MARKER + '\nstale\n' +
                   tool.DOC_MARKER_END + '\n' + markers)
    tool.write_reports(work, str(doc))
    text = doc.read_text()
    assert 'stale' not in text
    assert text.startswith('intro\n' + tool.SUMMARY_MARKER + '\n' + table +
                           tool.DOC_MARKER_END)
    # a doc without the summary's markers gets the other tables only
    doc.write_text(markers)
    tool.write_reports(work, str(doc))
    assert tool.SUMMARY_MARKER not in doc.read_text()


def test_train_run_uses_the_code_roots_training_code(tool, tmp_path,
                                                     monkeypatch):
    """With ``code_root``, the training command is that checkout's
    train.py and config, and the process imports that checkout's mlic."""
    seen = {}

    class Stop(Exception):
        pass

    def fake_run(cmd, run_dir, log_path, env=None):
        seen.update(cmd=cmd, env=env)
        raise Stop

    monkeypatch.setattr(tool, 'run_resumable_training', fake_run)
    root = str(tmp_path / 'checkout')
    with pytest.raises(Stop):
        tool.train_run(
            str(tmp_path / 'run'),
            'configs/csra/csra_multiglyphs-val.py', ['a=1'],
            code_root=root)
    assert seen['cmd'][1:3] == [
        osp.join(root, 'tools', 'train.py'),
        osp.join(root, 'configs/csra/csra_multiglyphs-val.py')
    ]
    assert seen['env']['PYTHONPATH'] == root
    with pytest.raises(Stop):
        tool.train_run(
            str(tmp_path / 'run'), 'configs/csra/csra_multiglyphs-val.py',
            ['a=1'])
    assert seen['cmd'][1] == osp.join(REPO_ROOT, 'tools', 'train.py')
    assert seen['env'] is None  # this checkout: the process's own
