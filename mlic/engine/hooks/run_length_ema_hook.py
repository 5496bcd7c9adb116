from mmpretrain.engine.hooks import EMAHook

from mlic.registry import HOOKS
from mlic.utils import momentum_for_run_share


@HOOKS.register_module()
class RunLengthEMAHook(EMAHook):
    """The ``EMAHook`` of the configs (mmpretrain's, which
    ``type='EMAHook'`` builds in mlic's registry: mmengine's plus
    ``evaluate_on_ema``/``evaluate_on_origin``) with the averaging window
    given as a share of the training run instead of as a momentum.

    The averaged weights follow ``avg <- (1 - m) * avg + m * w`` every step,
    an exponential window of about ``1 / m`` steps. A recipe that wants the
    window to be a fixed share of training (the MultiGlyphs protocol: an
    eighth) had to write ``m = 8 / (epochs * steps per epoch)`` into the
    config, which goes silently wrong when the batch size or the dataset
    changes the steps per epoch, and a child config that only changes the
    epochs had to restate the whole ``custom_hooks`` list (mmengine
    replaces a list whole). Here the momentum is set when training starts
    from the run the runner has: ``m = (1 / horizon_share) / max_iters``
    (for a share of 1/8: exactly ``8 / max_iters``, the same float as the
    configs' former ``8 / (epochs * 79)`` on MultiGlyphs' 79 steps).

    Reused: everything else is that hook's (the averaged model it builds from
    ``ema_type``, the weight swap for validation and checkpoints, resuming,
    ``begin_iter``/``begin_epoch``). The averaged model is built in
    ``before_run`` (resuming loads into it, and a test-only run uses it
    without a training loop) with its class's default momentum;
    ``before_train`` sets the run's.

    Args:
        horizon_share (float): The window ``1 / m`` as a share of the run's
            iterations, in (0, 1]. A run shorter than ``1 / horizon_share``
            steps gets ``m = 1`` (the average is the current weights).
            Defaults to 1/8.
        **kwargs: EMAHook's and the averaged model's arguments
            (``ema_type``, ``update_buffers``, ``begin_iter``, ...), but
            not ``momentum``, which this hook sets.
    """

    def __init__(self, horizon_share: float = 1 / 8, **kwargs):
        if 'momentum' in kwargs:
            raise ValueError(
                'RunLengthEMAHook sets the momentum from horizon_share and '
                'the run length; give one of them: horizon_share here, or '
                "a fixed momentum with type='EMAHook'")
        if not 0 < horizon_share <= 1:
            raise ValueError('RunLengthEMAHook: horizon_share must lie in '
                             f'(0, 1], got {horizon_share!r}')
        super().__init__(**kwargs)
        self.horizon_share = horizon_share

    def before_train(self, runner) -> None:
        super().before_train(runner)
        self.ema_model.momentum = momentum_for_run_share(
            self.horizon_share, runner.max_iters)
