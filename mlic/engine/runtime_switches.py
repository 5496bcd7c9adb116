"""The runtime switches a config or a tool flag turns on, in one place.

``tools/train.py --amp``, the benchmark harnesses' ``--amp``/``--fp32``, the
EMA model the config's ``EMAHook`` (or ``RunLengthEMAHook``) would keep,
and the ``channels_last`` /
``keep_freed_host_memory`` config lines were applied in three places (the
runner, ``benchmark_train.py``, ``benchmark_reference_step.py``); these
functions are the one version that all of them call. mmengine applies the
EMA inside its ``EMAHook`` and has no function that builds the averaged
model from a config outside a runner, hence :func:`ema_from_config`.
"""
from typing import Optional

import torch.nn as nn
from mmengine.hooks import EMAHook

from mlic.registry import HOOKS, MODELS
from mlic.utils import momentum_for_run_share
from .runner.channels_last import enable_channels_last
from .runner.host_memory import keep_freed_host_memory

#: Optimiser wrappers that run mixed precision.
MIXED_PRECISION_WRAPPERS = ('AmpOptimWrapper', 'AnyDeviceAmpOptimWrapper')


def use_mixed_precision(cfg) -> None:
    """``--amp``: the config's optimiser wrapper becomes
    ``AnyDeviceAmpOptimWrapper`` (mmengine's AMP wrapper, which asserts a
    GPU, works on the CPU too as bfloat16 autocast), with dynamic loss
    scaling unless the config sets one."""
    wrapper = cfg.optim_wrapper
    if wrapper.get('type') not in MIXED_PRECISION_WRAPPERS:
        wrapper.setdefault('loss_scale', 'dynamic')
    wrapper.type = 'AnyDeviceAmpOptimWrapper'


def use_float32(cfg) -> None:
    """The config's optimiser wrapper without mixed precision (a plain
    ``OptimWrapper``; AMP-only keys dropped)."""
    wrapper = cfg.optim_wrapper
    if wrapper.get('type') in MIXED_PRECISION_WRAPPERS:
        wrapper.type = 'OptimWrapper'
        for key in ('loss_scale', 'dtype', 'use_fsdp'):
            wrapper.pop(key, None)


def apply_model_switches(cfg,
                         model: nn.Module,
                         channels_last: bool = False) -> nn.Module:
    """The config lines ``keep_freed_host_memory`` and ``channels_last``
    (or ``channels_last=True`` from a flag), as the runner applies them
    before it wraps the model."""
    if cfg.get('keep_freed_host_memory', False):
        keep_freed_host_memory()
    if channels_last or cfg.get('channels_last', False):
        model = enable_channels_last(model)
    return model


def ema_hook_config(cfg) -> Optional[dict]:
    """The config's EMA hook entry of ``custom_hooks`` (``EMAHook`` or a
    subclass such as :class:`~mlic.engine.hooks.RunLengthEMAHook`), or
    None."""
    for hook in cfg.get('custom_hooks', []):
        kind = hook['type']
        cls = kind if isinstance(kind, type) else HOOKS.get(kind)
        if cls is not None and issubclass(cls, EMAHook):
            return hook
    return None


def ema_from_config(cfg,
                    model: nn.Module,
                    max_iters: Optional[int] = None) -> Optional[nn.Module]:
    """The averaged model the config's EMA hook would keep, or None.

    Args:
        max_iters (int, optional): The run's length, for a
            ``RunLengthEMAHook`` (whose momentum follows it); without it
            that hook's averaged model keeps its class's default momentum,
            which is enough for timing an update (the benchmarks).
    """
    hook = ema_hook_config(cfg)
    if hook is None:
        return None
    args = {
        k: v
        for k, v in hook.items()
        if k not in ('type', 'ema_type', 'priority', 'begin_iter',
                     'begin_epoch', 'strict_load', 'horizon_share')
    }
    if 'horizon_share' in hook and max_iters is not None:
        args['momentum'] = momentum_for_run_share(hook['horizon_share'],
                                                  max_iters)
    return MODELS.build(
        dict(
            type=hook.get('ema_type', 'ExponentialMovingAverage'),
            model=model,
            **args))
