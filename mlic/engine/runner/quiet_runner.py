import os.path as osp
from collections import OrderedDict

import torch
from mmengine.dist import master_only
from mmengine.runner import Runner
from mmengine.utils.dl_utils import collect_env

from mlic.registry import RUNNERS
from .channels_last import enable_channels_last
from .host_memory import keep_freed_host_memory


@RUNNERS.register_module()
class QuietRunner(Runner):
    """mmengine's ``Runner`` with a start-up log a user can read.

    Two changes to ``Runner._log_env`` (the rest is mmengine's):

    - the runtime environment names the processes and the device they run
      on (``Processes: 2 (CPU)``) where mmengine prints ``GPU number`` even
      on a CPU-only run;
    - the full config (about 300 lines for the benchmark configs) goes to
      ``<work_dir>/<config name>`` instead of the console, and the log says
      where. ``print_config=True`` in the config (``--print-config`` of the
      tools) logs it as mmengine does.

    It also reads two speed switches that have no place in mmengine's
    config: ``channels_last = True`` converts the model and its inputs to
    channels-last memory order (:func:`enable_channels_last`) before the
    model is wrapped for DDP, so the wrapper's gradient buckets get the
    final strides; ``keep_freed_host_memory = True`` (the default runtime's
    setting) makes glibc keep freed memory for the next step
    (:func:`keep_freed_host_memory`).

    The tools build it through ``runner_type`` (configs/_base_/
    default_runtime.py); ``Runner.from_cfg`` still gives the plain runner.
    """

    def wrap_model(self, model_wrapper_cfg, model):
        if self.cfg.get('keep_freed_host_memory', False):
            keep_freed_host_memory()
        if self.cfg.get('channels_last', False):
            model = enable_channels_last(model)
        return super().wrap_model(model_wrapper_cfg, model)

    def _log_env(self, env_cfg: dict) -> None:
        env = collect_env()
        device = 'CUDA' if torch.cuda.is_available() else 'CPU'
        runtime_env = OrderedDict(env_cfg)
        runtime_env.update(self._randomness_cfg)
        runtime_env['seed'] = self._seed
        runtime_env['Distributed launcher'] = self._launcher
        runtime_env['Distributed training'] = self._distributed
        runtime_env['Processes'] = f'{self._world_size} ({device})'
        dash_line = '-' * 60
        self.logger.info('\n' + dash_line + '\nSystem environment:\n    ' +
                         '\n    '.join(f'{k}: {v}' for k, v in env.items()) +
                         '\n\nRuntime environment:\n    ' +
                         '\n    '.join(f'{k}: {v}'
                                       for k, v in runtime_env.items()) +
                         '\n' + dash_line + '\n')
        if not self.cfg._cfg_dict:
            return
        if self.cfg.get('print_config', False):
            self.logger.info(f'Config:\n{self.cfg.pretty_text}')
        else:
            self._dump_config_once()
            self.logger.info(f'Config: {self._config_dump_path()} '
                             '(print_config=True logs it here)')

    def _config_dump_path(self) -> str:
        name = osp.basename(self.cfg.filename) if self.cfg.filename else \
            f'{self.timestamp}.py'
        return osp.join(self.work_dir, name)

    @master_only
    def _dump_config_once(self) -> None:
        self.cfg.dump(self._config_dump_path())
