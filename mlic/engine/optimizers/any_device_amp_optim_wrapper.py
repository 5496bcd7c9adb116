import warnings
from contextlib import contextmanager
from typing import Union

import torch
import torch.nn as nn
from mmengine.device import (is_cuda_available, is_mlu_available,
                             is_musa_available, is_npu_available)
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from mlic.registry import OPTIM_WRAPPERS


def _has_accelerator() -> bool:
    return (is_cuda_available() or is_npu_available() or is_mlu_available()
            or is_musa_available())


@OPTIM_WRAPPERS.register_module()
class AnyDeviceAmpOptimWrapper(AmpOptimWrapper):
    """mmengine's ``AmpOptimWrapper`` that also runs on a CPU-only machine.

    On a GPU (or NPU/MLU/MUSA) it *is* ``AmpOptimWrapper``: same autocast,
    same dynamic loss scaling, same checkpoint state. mmengine's wrapper
    asserts an accelerator, so a config with mixed precision could not even
    start on a laptop; here, without one, training runs under CPU autocast
    in bfloat16 instead (bf16 keeps float32's exponent range, so no loss
    scaling is needed and none is done). A requested float16 is replaced by
    bfloat16 with one warning, since CPU autocast supports bf16 only.

    Args:
        loss_scale (str | float | dict): As in ``AmpOptimWrapper``; unused
            on CPU.
        dtype (str | torch.dtype, optional): Autocast dtype.
        **kwargs: ``OptimWrapper`` arguments.
    """

    def __init__(self,
                 loss_scale: Union[str, float, dict] = 'dynamic',
                 dtype: Union[str, torch.dtype, None] = None,
                 **kwargs):
        self.on_cpu = not _has_accelerator()
        if not self.on_cpu:
            super().__init__(loss_scale=loss_scale, dtype=dtype, **kwargs)
            return
        OptimWrapper.__init__(self, **kwargs)
        self._scale_update_param = None
        self.loss_scaler = None
        if dtype not in (None, 'bfloat16', torch.bfloat16):
            warnings.warn(
                f'mixed precision with dtype={dtype} needs a GPU; this CPU '
                'run uses bfloat16 autocast instead.')
        self.cast_dtype = torch.bfloat16

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        if not self.on_cpu:
            return super().backward(loss, **kwargs)
        OptimWrapper.backward(self, loss, **kwargs)

    def step(self, **kwargs) -> None:
        if not self.on_cpu:
            return super().step(**kwargs)
        OptimWrapper.step(self, **kwargs)

    def state_dict(self) -> dict:
        if not self.on_cpu:
            return super().state_dict()
        return OptimWrapper.state_dict(self)

    def load_state_dict(self, state_dict: dict) -> None:
        if self.on_cpu:
            # A GPU run's scaler state means nothing here; drop it.
            state_dict = dict(state_dict)
            state_dict.pop('loss_scaler', None)
        super().load_state_dict(state_dict)

    @contextmanager
    def optim_context(self, model: nn.Module):
        if not self.on_cpu:
            with super().optim_context(model):
                yield
            return
        with OptimWrapper.optim_context(self, model), torch.autocast(
                device_type='cpu', dtype=self.cast_dtype):
            yield
