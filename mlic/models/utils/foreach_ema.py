from typing import List, Tuple

import torch
import torch.nn as nn
from mmengine.model import ExponentialMovingAverage

from mlic.registry import MODELS


@MODELS.register_module()
class ForeachExponentialMovingAverage(ExponentialMovingAverage):
    """mmengine's ``ExponentialMovingAverage`` with the update done by one
    ``torch._foreach_lerp_`` over all floating-point tensors instead of a
    Python loop calling ``lerp_`` once per tensor (and building
    ``model.state_dict()`` every step).

    Same arithmetic, same state, same checkpoints: only the averaging
    branch of ``update_parameters`` is replaced; the first step (a copy),
    ``interval`` and ``update_buffers=False`` are mmengine's. Use it as
    ``custom_hooks = [dict(type='EMAHook', ema_type=
    'ForeachExponentialMovingAverage', ...)]``.
    """

    def _pairs(
            self,
            model: nn.Module) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """(averaged, source) floating-point tensors, matched by name, as
        mmengine's loop visits them."""
        source = model.state_dict(keep_vars=True) if self.update_buffers \
            else dict(model.named_parameters())
        averaged, current = [], []
        for name, avg in self.avg_parameters.items():
            if avg.dtype.is_floating_point:
                averaged.append(avg.data)
                current.append(source[name].data)
        return averaged, current

    def update_parameters(self, model: nn.Module) -> None:
        if self.steps == 0 or self.steps % self.interval != 0:
            return super().update_parameters(model)
        averaged, current = self._pairs(model)
        if any(a.device != c.device for a, c in zip(averaged, current)):
            return super().update_parameters(model)  # mmengine moves them
        torch._foreach_lerp_(averaged, current, self.momentum)
        if not self.update_buffers:
            for b_avg, b_src in zip(self.module.buffers(), model.buffers()):
                b_avg.data.copy_(b_src.data)
        self.steps += 1
