from mmengine.hooks import Hook

from mlic.registry import HOOKS
from mlic.utils.distributed import unwrap_model


@HOOKS.register_module()
class NumClassCheckHook(Hook):
    """Fail before the first iteration when a dataset's number of classes
    differs from the model's ``num_classes``.

    Modelled on MMDetection's hook of the same name. Without it a mismatch
    shows up later as a shape error deep in the loss, or silently as wrong
    labels. Runs on the train and val datasets before training and on the
    test dataset before testing.
    """

    priority = 'VERY_HIGH'

    def _check(self, runner, loop_name: str) -> None:
        loop = getattr(runner, loop_name, None)
        if loop is None or isinstance(loop, dict):
            return
        dataset = loop.dataloader.dataset
        classes = dataset.metainfo.get('classes')
        model = unwrap_model(runner.model)
        num_classes = getattr(model, 'num_classes', None)
        if num_classes is None:
            num_classes = getattr(
                getattr(model, 'head', None), 'num_classes', None)
        if classes is None or num_classes is None:
            return
        if len(classes) != num_classes:
            raise ValueError(
                f'the {loop_name.replace("_loop", "")} dataset '
                f'{type(dataset).__name__} has {len(classes)} classes but '
                f'the model has num_classes={num_classes}; set '
                f'model.head.num_classes={len(classes)} (and the data '
                'preprocessor\'s num_classes) in the config')

    def before_train(self, runner) -> None:
        self._check(runner, 'train_loop')
        if runner._val_loop is not None:
            self._check(runner, 'val_loop')

    def before_test(self, runner) -> None:
        self._check(runner, 'test_loop')
