import glob
import os.path as osp
import re

import pytest
import torch

from mlic.utils import safe_torch_load
from .helpers import CONFIG, REPO_ROOT, run_tool, tiny_multidigits_options

METRIC = re.compile(r'multi-label/mAP: ([0-9.]+)')


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp('train')
    data_root = str(root / 'multidigits')
    work_dir = str(root / 'work')
    code, out = run_tool(
        ['tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options'] +
        tiny_multidigits_options(data_root, epochs=2))
    assert code == 0, out
    return dict(root=root, data_root=data_root, work_dir=work_dir, log=out)


def test_train_saves_ema_checkpoints_that_load_safely(trained):
    ckpt_path = osp.join(trained['work_dir'], 'epoch_2.pth')
    ckpt = safe_torch_load(ckpt_path)
    assert {
        'state_dict', 'ema_state_dict', 'optimizer', 'param_schedulers',
        'message_hub'
    } <= set(ckpt)
    assert glob.glob(osp.join(trained['work_dir'], 'best_multi-label_mAP_*'))
    # The EMA weights are what validation used and what 'state_dict' holds;
    # 'ema_state_dict' holds the raw weights under 'module.', and its step
    # count is the number of iterations.
    assert ckpt['meta']['epoch'] == 2
    ema, raw = ckpt['state_dict'], ckpt['ema_state_dict']
    assert {f'module.{k}' for k in ema} <= set(raw)
    weight = 'head.classifier.weight'
    assert weight in ema
    assert not torch.equal(ema[weight], raw[f'module.{weight}'])
    assert int(raw['steps']) == ckpt['meta']['iter'] > 0


def test_start_log_is_quiet_and_the_config_goes_to_the_work_dir(trained):
    log = trained['log']
    assert 'MultiScaleDeformableAttention' not in log  # mmcv-lite's noise
    assert 'GPU number' not in log and 'Processes: 1 (CPU)' in log
    dumped = osp.join(trained['work_dir'], 'mlic_multidigits.py')
    assert f'Config: {dumped}' in log and osp.isfile(dumped)
    assert 'model = dict(' not in log  # the config is not on the console


def test_test_tool_reports_metrics_of_the_checkpoint(trained):
    ckpt_path = osp.join(trained['work_dir'], 'epoch_2.pth')
    code, out = run_tool([
        'tools/test.py', CONFIG, ckpt_path, '--work-dir',
        str(trained['root'] / 'test'), '--print-config', '--cfg-options'
    ] + tiny_multidigits_options(trained['data_root']))
    assert code == 0, out
    assert 'model = dict(' in out  # --print-config logs the config
    test_map = float(METRIC.findall(out)[-1])
    val_maps = [float(v) for v in METRIC.findall(trained['log'])]
    # Same EMA weights, same test split: same mAP as the last validation.
    assert test_map == pytest.approx(val_maps[-1], abs=1e-3)


def test_data_root_flag_points_every_dataset_at_one_folder(trained):
    ckpt_path = osp.join(trained['work_dir'], 'epoch_2.pth')
    options = [
        o for o in tiny_multidigits_options('unused') if '.data_root=' not in o
    ]
    code, out = run_tool([
        'tools/test.py', CONFIG, ckpt_path, '--work-dir',
        str(trained['root'] / 'test_root'), '--data-root',
        str(trained['data_root']), '--cfg-options'
    ] + options)
    assert code == 0, out
    assert METRIC.findall(out)  # tested on the trained model's data
    assert not osp.exists(osp.join(REPO_ROOT, 'unused'))


def test_resume_continues_from_last_checkpoint(trained):
    code, out = run_tool([
        'tools/train.py', CONFIG, '--work-dir', trained['work_dir'],
        '--resume', '--cfg-options'
    ] + tiny_multidigits_options(trained['data_root'], epochs=3))
    assert code == 0, out
    assert 'resumed epoch: 2' in out
    assert re.search(r'Epoch\(train\)\s+\[3\]', out)
    assert not re.search(r'Epoch\(train\)\s+\[1\]', out)
    assert osp.isfile(osp.join(trained['work_dir'], 'epoch_3.pth'))
    ckpt = safe_torch_load(osp.join(trained['work_dir'], 'epoch_3.pth'))
    assert ckpt['meta']['epoch'] == 3
    assert torch.isfinite(
        torch.stack([v.float().sum()
                     for v in ckpt['state_dict'].values()])).all()


def test_amp_flag_trains_on_cpu(tmp_path):
    code, out = run_tool([
        'tools/train.py', CONFIG, '--amp', '--work-dir',
        str(tmp_path / 'work'), '--cfg-options'
    ] + tiny_multidigits_options(
        str(tmp_path / 'data'), epochs=1, num_train=32, num_test=16))
    assert code == 0, out
    # the config written to the work dir has the AMP wrapper
    dumped = (tmp_path / 'work' / 'mlic_multidigits.py').read_text()
    assert "type='AnyDeviceAmpOptimWrapper'" in dumped
    assert METRIC.search(out)


def test_tensorboard_flag_writes_event_files(tmp_path):
    code, out = run_tool([
        'tools/train.py', CONFIG, '--tensorboard', '--work-dir',
        str(tmp_path / 'work'), '--cfg-options'
    ] + tiny_multidigits_options(
        str(tmp_path / 'data'), epochs=1, num_train=32, num_test=16))
    assert code == 0, out
    events = glob.glob(
        str(tmp_path / 'work' / '*' / 'vis_data' / 'events.out.tfevents.*'))
    assert len(events) == 1 and osp.getsize(events[0]) > 0


def test_tensorboard_flag_without_the_package_says_what_to_install(
        monkeypatch):
    import importlib.util

    from mmengine.config import Config
    spec = importlib.util.spec_from_file_location(
        'train_tool', osp.join(REPO_ROOT, 'tools', 'train.py'))
    train_tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train_tool)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, 'find_spec', lambda name, *a: None
        if name == 'tensorboard' else real_find_spec(name, *a))
    cfg = Config(dict(visualizer=dict(vis_backends=[])))
    with pytest.raises(SystemExit, match='pip install tensorboard'):
        train_tool.add_tensorboard(cfg)
    assert cfg.visualizer.vis_backends == []


def checkpoint_with(state_dict, path):
    torch.save(dict(state_dict=state_dict, meta=dict()), path)
    return str(path)


@pytest.mark.parametrize('case', ['unrelated', 'wrong_shape'])
def test_test_tool_refuses_a_checkpoint_that_does_not_fit(trained, case):
    """A torchvision-style file or a model of other shape is refused before
    any evaluation, naming keys and both shapes; nothing is scored."""
    # the latest checkpoint: the resume test trains this work dir further
    with open(osp.join(trained['work_dir'], 'last_checkpoint')) as f:
        good = safe_torch_load(f.read().strip())
    if case == 'unrelated':
        state = {'conv1.weight': torch.zeros(64, 3, 7, 7)}
        expected = [
            'conv1.weight', 'missing from the checkpoint',
            'unexpected in the checkpoint'
        ]
    else:
        state = dict(good['state_dict'])
        state['head.classifier.bias'] = torch.zeros(20)
        expected = ['head.classifier.bias: checkpoint (20,) vs model (10,)']
    path = checkpoint_with(state, trained['root'] / f'{case}.pth')
    code, out = run_tool([
        'tools/test.py', CONFIG, path, '--work-dir',
        str(trained['root'] / f'test_{case}'), '--cfg-options'
    ] + tiny_multidigits_options(trained['data_root']))
    assert code != 0
    assert 'does not fit the model of the config' in out
    assert 'load_strict=False' in out
    for text in expected:
        assert text in out
    assert 'Traceback' not in out
    assert not METRIC.findall(out)


def test_partial_load_on_purpose_with_load_strict_false(trained):
    state = {'conv1.weight': torch.zeros(64, 3, 7, 7)}
    path = checkpoint_with(state, trained['root'] / 'partial.pth')
    code, out = run_tool([
        'tools/test.py', CONFIG, path, '--work-dir',
        str(trained['root'] /
            'test_partial'), '--cfg-options', 'load_strict=False'
    ] + tiny_multidigits_options(trained['data_root']))
    assert code == 0, out
    assert METRIC.findall(out)


def test_load_from_a_checkpoint_that_does_not_fit_stops_training(trained):
    state = {'conv1.weight': torch.zeros(64, 3, 7, 7)}
    path = checkpoint_with(state, trained['root'] / 'load_from.pth')
    code, out = run_tool([
        'tools/train.py', CONFIG, '--work-dir',
        str(trained['root'] /
            'train_load_from'), '--cfg-options', f'load_from={path}'
    ] + tiny_multidigits_options(trained['data_root'], epochs=1))
    assert code != 0
    assert f'{path} does not fit the model of the config' in out
    assert 'Traceback' not in out and 'Epoch(train)' not in out
