"""setup_distributed_for_device and register_all_modules on one process
(the multi-process paths: tests/test_tools/test_distributed_cpu.py)."""
import inspect

from mmengine.config import Config
from mmengine.registry import DefaultScope
from torch.nn.parallel import DistributedDataParallel

from mlic import register_all_modules
from mlic.utils import setup_distributed_for_device
from mlic.utils.distributed import ddp_wrapper_cfg, unwrap_model


def test_register_all_modules_makes_mlic_the_scope():
    register_all_modules(init_default_scope=True)
    assert DefaultScope.get_current_instance().scope_name == 'mlic'


def test_ddp_wrapper_uses_the_flag_this_torch_has():
    cfg = ddp_wrapper_cfg()
    params = inspect.signature(DistributedDataParallel.__init__).parameters
    flag = 'forward_sync_buffers' if 'forward_sync_buffers' in params \
        else 'broadcast_buffers'
    assert cfg == {'type': 'MMDistributedDataParallel', flag: False}


def test_no_launcher_changes_nothing():
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    before = cfg.to_dict()
    setup_distributed_for_device(cfg, 'none')
    assert cfg.to_dict() == before


def test_unwrap_model_reaches_into_mmengines_wrappers_only():
    import torch
    from mmengine.model import MMDistributedDataParallel

    model = torch.nn.Linear(2, 2)
    assert unwrap_model(model) is model
    # a wrapper without a process group: only its .module matters here
    wrapper = MMDistributedDataParallel.__new__(MMDistributedDataParallel)
    torch.nn.Module.__init__(wrapper)
    wrapper.module = model
    assert unwrap_model(wrapper) is model
