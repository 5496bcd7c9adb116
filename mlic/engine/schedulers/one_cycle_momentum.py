import math
from typing import Optional

from mmengine.optim.scheduler.momentum_scheduler import MomentumSchedulerMixin
from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler

from mlic.registry import PARAM_SCHEDULERS
from .run_length import require_finite_end


def one_cycle_momentum(step: int,
                       total_steps: int,
                       pct_start: float,
                       base_momentum: float,
                       max_momentum: float,
                       anneal_strategy: str = 'cos') -> float:
    """Momentum of PyTorch's ``OneCycleLR`` (two phases) at ``step``.

    Phase 1 (steps 0 .. pct_start*total - 1) anneals from ``max_momentum``
    to ``base_momentum`` while the learning rate rises; phase 2 anneals back
    to ``max_momentum`` until ``total_steps - 1``.
    """
    warm_end = float(pct_start * total_steps) - 1
    if step <= warm_end:
        start, end, pct = max_momentum, base_momentum, step / warm_end
    else:
        start, end = base_momentum, max_momentum
        pct = (step - warm_end) / (total_steps - 1 - warm_end)
    pct = min(max(pct, 0.0), 1.0)
    if anneal_strategy == 'cos':
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


@PARAM_SCHEDULERS.register_module()
class OneCycleMomentum(MomentumSchedulerMixin, _ParamScheduler):
    """The momentum half of PyTorch's ``OneCycleLR``.

    mmengine's ``OneCycleLR`` cycles only the learning rate; PyTorch's also
    cycles momentum (β₁ for Adam/AdamW, through mmengine's momentum mixin),
    which the MLIC recipe relies on. Use it beside ``OneCycleLR`` with the
    same ``pct_start``, ``begin``/``end`` and ``by_epoch``.

    Args:
        optimizer: Wrapped optimizer.
        base_momentum (float): Lowest momentum (at the LR peak).
            Defaults to 0.85.
        max_momentum (float): Momentum at start and end. Defaults to 0.95.
        total_steps (int, optional): Cycle length; defaults to
            ``end - begin``.
        pct_start (float): Fraction of the cycle spent warming up.
        anneal_strategy (str): ``'cos'`` or ``'linear'``.
        begin, end, last_step, by_epoch, verbose: As in mmengine schedulers.
    """

    def __init__(self,
                 optimizer,
                 base_momentum: float = 0.85,
                 max_momentum: float = 0.95,
                 total_steps: Optional[int] = None,
                 pct_start: float = 0.3,
                 anneal_strategy: str = 'cos',
                 begin: int = 0,
                 end: int = INF,
                 last_step: int = -1,
                 by_epoch: bool = True,
                 verbose: bool = False):
        if anneal_strategy not in ('cos', 'linear'):
            raise ValueError("anneal_strategy must be 'cos' or 'linear', "
                             f'got {anneal_strategy!r}')
        if not 0 < pct_start < 1:
            raise ValueError(f'pct_start must be in (0, 1), got {pct_start}')
        require_finite_end(type(self).__name__, total_steps, end)
        self.total_steps = total_steps if total_steps is not None else (end -
                                                                        begin)
        # a 1-step run is one step at the cycle's end value (a shortened
        # test run; one_cycle_momentum is defined there)
        if self.total_steps == INF or self.total_steps < 1:
            raise ValueError('OneCycleMomentum needs total_steps or a finite '
                             f'end, got total_steps={self.total_steps}')
        self.base_momentum = base_momentum
        self.max_momentum = max_momentum
        self.pct_start = pct_start
        self.anneal_strategy = anneal_strategy
        super().__init__(
            optimizer,
            begin=begin,
            end=end,
            last_step=last_step,
            by_epoch=by_epoch,
            verbose=verbose)

    @classmethod
    def build_iter_from_epoch(cls,
                              *args,
                              begin=0,
                              end=INF,
                              by_epoch=True,
                              epoch_length=None,
                              total_steps=None,
                              **kwargs):
        """Build an iteration-based instance from an epoch-based config."""
        if epoch_length is None or epoch_length <= 0:
            raise ValueError('epoch_length must be a positive integer, got '
                             f'{epoch_length}')
        begin = int(begin * epoch_length)
        if end != INF:
            end = int(end * epoch_length)
        if total_steps is not None:
            total_steps = total_steps * epoch_length
        return cls(
            *args,
            begin=begin,
            end=end,
            by_epoch=False,
            total_steps=total_steps,
            **kwargs)

    def _get_value(self):
        value = one_cycle_momentum(self.last_step, self.total_steps,
                                   self.pct_start, self.base_momentum,
                                   self.max_momentum, self.anneal_strategy)
        return [value for _ in self.optimizer.param_groups]
