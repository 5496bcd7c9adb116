"""OneCycleMomentum (with OneCycleLR) follows PyTorch's OneCycleLR."""
import pytest
import torch
from mmengine.optim import OptimWrapper

from mlic.registry import PARAM_SCHEDULERS


def _optimizer():
    model = torch.nn.Linear(2, 2)
    return torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999))


@pytest.mark.parametrize('total,pct', [(100, 0.4), (37, 0.2)])
def test_lr_and_momentum_follow_pytorch_one_cycle(total, pct):
    ref_opt = _optimizer()
    ref = torch.optim.lr_scheduler.OneCycleLR(
        ref_opt, max_lr=1e-4, total_steps=total, pct_start=pct)
    opt = _optimizer()
    wrapper = OptimWrapper(opt)
    lr = PARAM_SCHEDULERS.build(
        dict(
            type='OneCycleLR',
            eta_max=1e-4,
            total_steps=total,
            pct_start=pct,
            by_epoch=False),
        default_args=dict(optimizer=wrapper))
    mom = PARAM_SCHEDULERS.build(
        dict(
            type='OneCycleMomentum',
            total_steps=total,
            pct_start=pct,
            by_epoch=False),
        default_args=dict(optimizer=wrapper))
    for _ in range(total - 1):
        group, ref_group = opt.param_groups[0], ref_opt.param_groups[0]
        assert group['lr'] == pytest.approx(ref_group['lr'], rel=1e-6)
        assert group['betas'][0] == pytest.approx(ref_group['betas'][0])
        ref_opt.step()
        ref.step()
        opt.step()
        lr.step()
        mom.step()
