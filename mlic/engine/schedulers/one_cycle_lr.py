from mmengine.optim.scheduler import OneCycleLR as MMEngineOneCycleLR

from mlic.registry import PARAM_SCHEDULERS


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
    """

    def state_dict(self) -> dict:
        state = super().state_dict()
        state.pop('anneal_func', None)
        state['anneal_strategy'] = (
            'cos' if self.anneal_func == self._annealing_cos else 'linear')
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        strategy = state_dict.pop('anneal_strategy', 'cos')
        state_dict.pop('anneal_func', None)
        super().load_state_dict(state_dict)
        self.anneal_func = (
            self._annealing_cos
            if strategy == 'cos' else self._annealing_linear)
