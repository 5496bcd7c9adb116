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


def cpu_has_native_bfloat16() -> bool:
    """Whether oneDNN runs bfloat16 matrix products natively on this CPU
    (AVX512-BF16 or AMX); without them PyTorch emulates bf16, which is
    slower than float32. torch has no public query for it: this asks the
    oneDNN check torch's own bf16 tests use, and says yes when that check
    is gone from a later torch (no warning rather than a false one)."""
    check = getattr(torch.ops.mkldnn, '_is_mkldnn_bf16_supported', None)
    return True if check is None else bool(check())


@OPTIM_WRAPPERS.register_module()
class AnyDeviceAmpOptimWrapper(AmpOptimWrapper):
    """mmengine's ``AmpOptimWrapper`` that also runs on a CPU-only machine.

    On a GPU (or NPU/MLU/MUSA) it *is* ``AmpOptimWrapper``: same autocast,
    same dynamic loss scaling, same checkpoint state. mmengine's wrapper
    asserts an accelerator, so a config with mixed precision could not even
    start on a laptop; here, without one, training runs under CPU autocast
    in bfloat16 instead (bf16 keeps float32's exponent range, so no loss
    scaling is needed and none is done). A requested float16 is replaced by
    bfloat16 with one warning, since CPU autocast supports bf16 only. On a
    CPU without native bf16 instructions (:func:`cpu_has_native_bfloat16`)
    a warning says that the emulated bf16 is much slower than float32.

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
        if not cpu_has_native_bfloat16():
            # measured on a 2-core AVX2 machine: a ResNet-101 training step
            # (MS-COCO recipe, batch 1, 64 px) 40 s in bf16, 1 s in float32
            warnings.warn(
                'mixed precision on this CPU is bfloat16 autocast, which it '
                'has no instructions for: PyTorch emulates it, and a '
                'training step can be tens of times slower than in float32. '
                'Train in float32 here: --cfg-options '
                'optim_wrapper.type=OptimWrapper (and leave out --amp).')
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
