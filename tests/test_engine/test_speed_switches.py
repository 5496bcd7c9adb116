"""Each speed switch, one config line, trains MultiDigits to the same losses
as the plain run (float rounding; bfloat16 within its documented
tolerance), and the foreach EMA gives the same averaged weights."""
import glob
import json
import os.path as osp

import pytest
import torch
import torchvision
from mmengine.model import ExponentialMovingAverage

from mlic.models.utils import ForeachExponentialMovingAverage
from mlic.utils import safe_torch_load
from ..test_tools.helpers import CONFIG, run_tool, tiny_multidigits_options

SWITCHES = {
    'plain': [],
    'channels_last': ['channels_last=True'],
    'with_cp': ['model.backbone.with_cp=True'],
    'foreach_adamw': ['optim_wrapper.optimizer.foreach=True'],
    'fused_adamw': ['optim_wrapper.optimizer.fused=True'],
    'foreach_ema': ['custom_hooks.0.ema_type=ForeachExponentialMovingAverage'],
    # torch.compile draws dropout masks from its own generator, so the
    # compiled run is compared with dropout off on both sides.
    'no_dropout': ['model.head.transformer.dropout=0.0'],
    'compile': ['compile=True', 'model.head.transformer.dropout=0.0'],
    'amp': ['--amp'],  # a flag of tools/train.py, not a config option
}


def logged_losses(work):
    """The training loss of every iteration of a run, from its log."""
    path = glob.glob(osp.join(str(work), '*', 'vis_data', 'scalars.json'))[0]
    return [
        json.loads(line)['loss'] for line in open(path) if '"loss"' in line
    ]


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp('switches')
    data = str(root / 'data')
    out = {}
    for name, extra in SWITCHES.items():
        work = root / name
        flags = [arg for arg in extra if arg.startswith('--')]
        options = [arg for arg in extra if not arg.startswith('--')]
        args = [
            'tools/train.py', CONFIG, '--work-dir',
            str(work), *flags, '--cfg-options'
        ] + tiny_multidigits_options(
            data, epochs=1, num_train=64, num_test=16) + options
        code, log = run_tool(args)
        assert code == 0, f'{name}:\n{log[-3000:]}'
        state = safe_torch_load(str(work / 'epoch_1.pth'))['state_dict']
        out[name] = dict(losses=logged_losses(work), state=state)
    return out


@pytest.mark.parametrize(
    'name',
    ['channels_last', 'with_cp', 'foreach_adamw', 'fused_adamw', 'compile'])
def test_switch_gives_the_plain_losses(runs, name):
    reference = 'no_dropout' if name == 'compile' else 'plain'
    plain, switched = runs[reference]['losses'], runs[name]['losses']
    assert len(plain) == 4 and len(switched) == 4
    # the first step is the same computation up to float rounding; later
    # steps inherit the rounding through the updated weights.
    assert switched == pytest.approx(plain, rel=1e-3)


def test_foreach_ema_saves_the_same_weights(runs):
    plain, foreach = runs['plain']['state'], runs['foreach_ema']['state']
    assert plain.keys() == foreach.keys()
    for key in plain:
        assert torch.equal(plain[key], foreach[key]), key


def test_foreach_ema_matches_mmengine_bitwise():
    torch.manual_seed(0)
    model = torchvision.models.resnet18()
    loop = ExponentialMovingAverage(model, momentum=0.01, interval=2)
    foreach = ForeachExponentialMovingAverage(model, momentum=0.01, interval=2)
    for _ in range(5):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p))
        model(torch.randn(2, 3, 32, 32))  # moves BatchNorm statistics
        loop.update_parameters(model)
        foreach.update_parameters(model)
    a, b = loop.state_dict(), foreach.state_dict()
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert foreach.steps == 5


def test_bfloat16_autocast_stays_within_its_tolerance(runs):
    """--amp on the CPU (bfloat16): 8 significant bits, so the losses may
    drift by a few percent over the steps; docs/benchmarks.md gives 5 %."""
    bf16, fp32 = runs['amp']['losses'], runs['plain']['losses']
    assert len(bf16) == len(fp32) == 4
    assert bf16 == pytest.approx(fp32, rel=0.05)
    assert bf16 != fp32  # bfloat16 did run
