"""Distributed runs on machines with or without CUDA."""
import datetime
import os
import warnings

import torch


def unwrap_model(model: torch.nn.Module) -> torch.nn.Module:
    """The model inside mmengine's DDP/FSDP wrapper, or ``model`` itself
    (mmengine's ``is_model_wrapper``; the hooks and the runner reach the
    head and the data through it)."""
    from mmengine.model import is_model_wrapper
    return model.module if is_model_wrapper(model) else model


def ddp_wrapper_cfg() -> dict:
    """mmengine's DDP wrapper without buffer broadcasts in forward, as
    mmengine's runner builds it, in the argument this torch understands.

    torch >= 2.14 deprecates ``broadcast_buffers`` (a FutureWarning on
    every rank) for ``forward_sync_buffers``; the new flag still syncs the
    buffers once at construction, which is harmless here: every rank starts
    from the same seeded weights, and ``SyncAllBuffersHook`` makes the
    ranks agree before each validation and save.
    """
    import inspect

    from torch.nn.parallel import DistributedDataParallel
    params = inspect.signature(DistributedDataParallel.__init__).parameters
    flag = 'forward_sync_buffers' if 'forward_sync_buffers' in params \
        else 'broadcast_buffers'
    return {'type': 'MMDistributedDataParallel', flag: False}


def setup_distributed_for_device(cfg, launcher: str) -> None:
    """Adapt a config's distributed settings to a machine without CUDA.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device`` and its DDP
    wrapper passes ``device_ids``, both of which fail on CPU; SyncBatchNorm
    has no CPU kernel. On a CUDA machine this does nothing. Without CUDA and
    with a launcher it initialises the process group with gloo (from
    torchrun's environment variables, with ``env_cfg.dist_cfg.timeout``
    seconds) before the runner does, builds DDP
    without ``device_ids`` and drops ``sync_bn`` with a warning.

    With any launcher and no ``model_wrapper_cfg`` in the config, it sets
    the DDP wrapper of :func:`ddp_wrapper_cfg` (on GPUs too).

    Args:
        cfg (mmengine.Config): The config; modified in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
    """
    if launcher == 'none':
        return
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = ddp_wrapper_cfg()
    if torch.cuda.is_available():
        return
    import torch.distributed as torch_dist
    timeout = (cfg.get('env_cfg') or {}).get('dist_cfg', {}).get('timeout')
    if launcher == 'pytorch' and not torch_dist.is_initialized():
        kwargs = {}
        if timeout is not None:
            # mmengine's init_dist reads dist_cfg.timeout (seconds); this
            # CPU path initialises the group itself and must honour it too.
            kwargs['timeout'] = datetime.timedelta(seconds=timeout)
        torch_dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']),
            **kwargs)
    env_cfg = cfg.setdefault('env_cfg', {})
    env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    wrapper_cfg = cfg.model_wrapper_cfg
    wrapper_cfg['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper_cfg
    if cfg.get('sync_bn') is not None:
        warnings.warn('SyncBatchNorm needs CUDA; this CPU run keeps plain '
                      'BatchNorm (cfg.sync_bn ignored).')
        cfg.sync_bn = None
