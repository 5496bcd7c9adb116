import os.path as osp
import re
from collections import OrderedDict

import torch
from mmengine.dist import master_only
from mmengine.runner import Runner
from mmengine.runner.checkpoint import (_load_checkpoint,
                                        _load_checkpoint_to_model)
from mmengine.utils.dl_utils import collect_env

from mlic.registry import RUNNERS
from mlic.utils.checkpoint import check_checkpoint_fits
from mlic.utils.distributed import unwrap_model


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
    config, through :func:`~mlic.engine.runtime_switches.
    apply_model_switches` (which the benchmarks call too):
    ``channels_last = True`` converts the model and its inputs to
    channels-last memory order before the model is wrapped for DDP, so the
    wrapper's gradient buckets get the final strides;
    ``keep_freed_host_memory = True`` (the default runtime's setting) makes
    glibc keep freed memory for the next step.

    Loading weights (``tools/test.py``, ``load_from``) refuses a
    checkpoint whose keys or shapes differ from the model's
    (:func:`~mlic.utils.checkpoint.check_checkpoint_fits`) before anything
    is loaded, where mmengine only warns; ``load_strict = False`` in the
    config (``--cfg-options load_strict=False``) loads part of a file on
    purpose, as mmengine does. Resuming is unchanged.

    Schedules whose curve is set by their length (OneCycle) end with the
    run: without ``end`` they take the train loop's length, and an ``end``
    that differs from it is refused naming both
    (:func:`~mlic.engine.schedulers.fit_schedule_to_run`), so
    ``--cfg-options train_cfg.max_epochs=2`` gives a whole one-cycle
    schedule in 2 epochs.

    The tools build it through ``runner_type`` (configs/_base_/
    default_runtime.py); ``Runner.from_cfg`` still gives the plain runner.
    """

    def build_param_scheduler(self, scheduler):
        """mmengine's, after :func:`fit_schedule_to_run` on the configs.

        ``Runner.train`` builds the train loop before the schedulers, so
        the run's length is known here."""
        from mlic.engine.schedulers import fit_schedule_to_run
        loop = self._train_loop
        if not isinstance(loop, dict) and loop is not None:
            scheduler = fit_schedule_to_run(
                scheduler,
                max_epochs=getattr(loop, 'max_epochs', None),
                max_iters=loop.max_iters,
                epoch_based=hasattr(loop, 'max_epochs'))
        return super().build_param_scheduler(scheduler)

    def load_checkpoint(self,
                        filename: str,
                        map_location='cpu',
                        strict: bool = False,
                        revise_keys: list = [(r'^module.', '')]):
        """mmengine's ``Runner.load_checkpoint`` with the fit check first.

        The check reads the state dict as mmengine would load it
        (``revise_keys`` applied) and runs unless ``load_strict`` is False
        in the config.
        """
        checkpoint = _load_checkpoint(filename, map_location=map_location)
        model = unwrap_model(self.model)
        if self.cfg.get('load_strict', True):
            state = checkpoint.get('state_dict', checkpoint) if isinstance(
                checkpoint, dict) else checkpoint
            revised = OrderedDict()
            for key, value in state.items():
                for pattern, replacement in revise_keys:
                    key = re.sub(pattern, replacement, key)
                revised[key] = value
            check_checkpoint_fits(model, revised, filename)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        checkpoint = _load_checkpoint_to_model(
            model, checkpoint, strict, revise_keys=revise_keys)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

    def wrap_model(self, model_wrapper_cfg, model):
        # imported here: runtime_switches imports this package's modules
        from ..runtime_switches import apply_model_switches
        model = apply_model_switches(self.cfg, model)
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
