"""AnyDeviceAmpOptimWrapper: bfloat16 autocast on the CPU, mmengine's
AmpOptimWrapper on CUDA."""
import warnings

import pytest
import torch

from mlic.registry import OPTIM_WRAPPERS


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU fallback only')
def test_amp_wrapper_runs_bf16_on_cpu():
    model = torch.nn.Linear(4, 2)
    wrapper = OPTIM_WRAPPERS.build(
        dict(
            type='AnyDeviceAmpOptimWrapper',
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.randn(3, 4))
        assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().pow(2).mean())
    assert not torch.equal(before, model.weight)
    assert 'loss_scaler' not in wrapper.state_dict()


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU fallback only')
def test_amp_wrapper_warns_once_for_fp16_on_cpu():
    model = torch.nn.Linear(4, 2)
    with pytest.warns(UserWarning, match='bfloat16'):
        OPTIM_WRAPPERS.build(
            dict(
                type='AnyDeviceAmpOptimWrapper',
                dtype='float16',
                optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU fallback only')
@pytest.mark.parametrize('native', [True, False])
def test_amp_wrapper_warns_when_bf16_is_emulated(native, monkeypatch):
    """Without native bf16 instructions the CPU autocast is far slower than
    float32 (a ResNet-101 step 40 s against 1 s here); the user is told."""
    from mlic.engine.optimizers import any_device_amp_optim_wrapper as module
    assert isinstance(module.cpu_has_native_bfloat16(), bool)
    monkeypatch.setattr(module, 'cpu_has_native_bfloat16', lambda: native)
    model = torch.nn.Linear(4, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        OPTIM_WRAPPERS.build(
            dict(
                type='AnyDeviceAmpOptimWrapper',
                optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
    emulated = [w for w in caught if 'emulates it' in str(w.message)]
    assert len(emulated) == (0 if native else 1)
    if not native:
        assert 'optim_wrapper.type=OptimWrapper' in str(emulated[0].message)
