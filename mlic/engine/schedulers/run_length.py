"""Schedules whose shape is set by their length end with the run.

A one-cycle schedule is defined by its total length: its peak, its
annealing and its final learning rate all sit at fractions of it. mmengine
takes that length from the scheduler's ``end`` as written in the config, so
``--cfg-options train_cfg.max_epochs=2`` on a 10-epoch config left
``end=10``: the learning rate was still at its peak when the run stopped,
and nothing said so. mmengine has no notion of "until the end of the run"
for a scheduler (its default ``end`` is infinity), hence this module.

Rule, applied by :class:`~mlic.engine.runner.QuietRunner` when it builds
the schedulers (the train loop, and so the run's length, is known then):
a scheduler of a type in :data:`FOLLOWS_RUN_LENGTH` without ``end`` ends
with the run (``max_epochs`` for ``by_epoch=True``, else the run's
iterations); with an ``end`` that is not the run's length it is refused,
naming both, because a one-cycle schedule cut short or never finished is
never what a user wants.
"""
import copy
from typing import Union

from mmengine.optim.scheduler.param_scheduler import INF

from mlic.utils.errors import ConfigError

#: Scheduler types whose curve is set by ``end - begin``.
FOLLOWS_RUN_LENGTH = ('OneCycleLR', 'OneCycleMomentum')


def fit_schedule_to_run(schedulers: Union[list, dict], max_epochs: int,
                        max_iters: int, epoch_based: bool):
    """The scheduler configs with ``end`` set to the run's length.

    Args:
        schedulers (list | dict): ``param_scheduler`` from the config: a
            list of configs, one config, or a dict of those per optimizer
            name. Built schedulers (not dicts) are returned as they are.
        max_epochs (int): The run's epochs (epoch-based loops).
        max_iters (int): The run's iterations.
        epoch_based (bool): The train loop counts epochs.

    Returns:
        A copy of ``schedulers`` with the ends filled in.

    Raises:
        ConfigError: (a ``ValueError``) a scheduler in
            :data:`FOLLOWS_RUN_LENGTH` whose ``end`` is not the run's
            length; the message names the scheduler, both lengths and the
            fix.
    """
    if isinstance(schedulers, dict) and 'type' not in schedulers:
        return {
            name: fit_schedule_to_run(value, max_epochs, max_iters,
                                      epoch_based)
            for name, value in schedulers.items()
        }
    single = isinstance(schedulers, dict)
    configs = copy.deepcopy([schedulers] if single else list(schedulers))
    for index, cfg in enumerate(configs):
        if not isinstance(cfg, dict) or cfg.get('type') not in \
                FOLLOWS_RUN_LENGTH:
            continue
        by_epoch = cfg.get('by_epoch', True)
        if by_epoch and not epoch_based:
            continue  # mmengine refuses epoch schedules in an iter loop
        if by_epoch:
            length, unit = max_epochs, 'epochs'
        else:
            length, unit = max_iters, 'iterations'

        if cfg.get('end') is None:
            cfg['end'] = length
        elif cfg['end'] != length:
            raise ConfigError(
                f'param_scheduler[{index}] ({cfg["type"]}) ends at '
                f'{cfg["end"]} {unit} but the run is {length} {unit} long: '
                'its learning rate would not follow its one cycle. Leave '
                '"end" out of the scheduler to make it end with the run, or '
                f'set param_scheduler.{index}.end={length}')
    return configs[0] if single else configs


def require_finite_end(name: str, total_steps, end) -> None:
    """Refuse a one-cycle scheduler built without a length (a config of
    mlic's built by mmengine's plain ``Runner``), saying what to do.

    Raises:
        ConfigError: ``total_steps`` is None and ``end`` is mmengine's
            ``INF`` (its default).
    """
    if total_steps is None and end == INF:
        raise ConfigError(
            f'{name} has no end: mlic\'s configs leave it to the runner, '
            'which ends the cycle with the run (QuietRunner, the '
            "config's runner_type, built by tools/train.py). With "
            "mmengine's Runner.from_cfg, build the runner with "
            'mlic.registry.RUNNERS.build(cfg) instead, or set the '
            "scheduler's end")
