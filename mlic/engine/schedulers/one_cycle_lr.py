from typing import List, Optional, Union

from mmengine.logging import print_log
from mmengine.optim.scheduler import OneCycleLR as MMEngineOneCycleLR

from mlic.registry import PARAM_SCHEDULERS
from .run_length import INF, require_finite_end


@PARAM_SCHEDULERS.register_module()
class OneCycleLR(MMEngineOneCycleLR):
    """mmengine's ``OneCycleLR`` with a checkpoint-safe ``state_dict``.

    mmengine's scheduler keeps its annealing function as a bound method in
    ``__dict__`` and saves it with the rest, so every checkpoint holds a
    pickled method reference, which ``torch.load(weights_only=True)``
    rightly refuses. This class saves the strategy name instead and rebuilds
    the function on load; the schedule is unchanged. Registered in mlic's
    scope under the same name, so ``type='OneCycleLR'`` in an mlic config
    builds it.

    The peak LR follows the optimizer: with ``eta_max`` left out (as mlic's
    configs do), the peak is the optimizer's ``lr``, so
    ``--cfg-options optim_wrapper.optimizer.lr=...`` and ``--auto-scale-lr``
    (which scales that ``lr``) change the schedule. mmengine's version needs
    ``eta_max`` and silently ignores the optimizer's ``lr``; here an
    ``eta_max`` that differs from it is kept but a warning names both.

    Args:
        optimizer: The optimizer or optim wrapper.
        eta_max (float | list, optional): Peak LR; defaults to the
            optimizer's ``lr`` (per parameter group).
        **kwargs: mmengine ``OneCycleLR`` arguments.
    """

    def __init__(self,
                 optimizer,
                 eta_max: Optional[Union[float, List[float]]] = None,
                 *args,
                 **kwargs):
        require_finite_end(
            type(self).__name__, kwargs.get('total_steps'),
            kwargs.get('end', INF))
        lrs = [group['lr'] for group in optimizer.param_groups]
        if eta_max is None:
            eta_max = lrs[0] if len(set(lrs)) == 1 else lrs
        else:
            peaks = eta_max if isinstance(eta_max, (list, tuple)) else \
                [eta_max] * len(lrs)
            if any(
                    abs(p - lr) > 1e-12 * max(abs(p), abs(lr))
                    for p, lr in zip(peaks, lrs)):
                shown = lrs[0] if len(set(lrs)) == 1 else lrs
                print_log(
                    f'OneCycleLR(eta_max={eta_max}) sets the peak learning '
                    f'rate, so the optimizer lr={shown} is ignored; to '
                    "change the LR set the scheduler's eta_max, or leave "
                    'eta_max out to follow the optimizer',
                    logger='current',
                    level=30)
        super().__init__(optimizer, eta_max, *args, **kwargs)

    def state_dict(self) -> dict:
        state = super().state_dict()
        state.pop('anneal_func', None)
        state['anneal_strategy'] = ('cos' if self.anneal_func
                                    == self._annealing_cos else 'linear')
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        strategy = state_dict.pop('anneal_strategy', 'cos')
        state_dict.pop('anneal_func', None)
        super().load_state_dict(state_dict)
        self.anneal_func = (
            self._annealing_cos
            if strategy == 'cos' else self._annealing_linear)
