"""AnyDeviceAmpOptimWrapper: bfloat16 autocast on the CPU, mmengine's
AmpOptimWrapper on CUDA."""
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
