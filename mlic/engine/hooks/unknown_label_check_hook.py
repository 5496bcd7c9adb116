from mmengine.hooks import Hook

from mlic.datasets.unknown_labels import count_unknown_labels
from mlic.registry import HOOKS
from mlic.utils.distributed import unwrap_model


@HOOKS.register_module()
class UnknownLabelCheckHook(Hook):
    """Fail before the first iteration where unknown labels
    (docs/partial_labels.md) would be silently misread.

    - Training: when the training set has unknown labels, the head must
      honour them (``head.accepts_unknown_labels``: an mlic head whose loss
      does), and so must an ``embedding_loss``. mmpretrain's heads build
      their targets from ``gt_label`` alone and would train on the unknown
      labels as negatives.
    - Validation and testing: the datasets must have none; every metric is
      defined on full labels.

    A sibling of :class:`NumClassCheckHook`, on in every config through
    ``configs/_base_/default_runtime.py``.
    """

    priority = 'VERY_HIGH'

    @staticmethod
    def _dataset(runner, loop_name: str):
        loop = getattr(runner, loop_name, None)
        if loop is None or isinstance(loop, dict):
            return None
        return loop.dataloader.dataset

    def before_train(self, runner) -> None:
        dataset = self._dataset(runner, 'train_loop')
        if dataset is not None:
            self._check_label_table(runner, dataset)
            unknown = count_unknown_labels(dataset)
            if unknown:
                self._check_model(runner, dataset, unknown)
        if runner._val_loop is not None:
            self._check_evaluation(runner, 'val_loop')

    def before_test(self, runner) -> None:
        self._check_evaluation(runner, 'test_loop')

    @staticmethod
    def _check_model(runner, dataset, unknown: int) -> None:
        model = unwrap_model(runner.model)
        head = getattr(model, 'head', None)
        parts = [('model.head', head, getattr(head, 'loss_module', None))]
        if getattr(model, 'embedding_loss', None) is not None:
            parts.append(('model.embedding_loss', model.embedding_loss,
                          model.embedding_loss))
        for name, part, loss in parts:
            if not getattr(part, 'accepts_unknown_labels', False):
                loss_name = type(loss).__name__ if loss is not None else '-'
                raise ValueError(
                    f'the training set {type(dataset).__name__} has {unknown}'
                    f' unknown labels, but {name} ({type(part).__name__}, '
                    f'loss {loss_name}) does not honour them and would read '
                    'them as negatives; use an mlic head (for a linear '
                    "classifier dict(type='LinearMultiLabelHead')) with a "
                    'loss of docs/partial_labels.md')

    @staticmethod
    def _check_label_table(runner, dataset) -> None:
        """A loss keyed by the training images' indices
        (``needs_sample_indices``, e.g. ROLE's row per image) needs indices
        that name one image each, and ``num_samples`` rows for all of them:
        refuse a ConcatDataset and a short table now rather than train
        wrongly or fail at the first index past the end."""
        model = unwrap_model(runner.model)
        loss = getattr(getattr(model, 'head', None), 'loss_module', None)
        if not getattr(loss, 'needs_sample_indices', False):
            return
        # a ConcatDataset hands on each part's own indices (both parts have
        # an image 0): their images would share rows of the table
        inner = dataset
        while inner is not None:
            if hasattr(inner, 'datasets'):
                raise ValueError(
                    f'{type(loss).__name__} keeps a row per training image by '
                    f'its dataset index, but the training set contains a '
                    f'{type(inner).__name__}, whose parts number their '
                    'images from 0 each; write the parts into one list file '
                    '(LabelListDataset) instead')
            inner = getattr(inner, 'dataset', None)
        num_samples = getattr(loss, 'num_samples', None)
        if num_samples is not None and num_samples < len(dataset):
            raise ValueError(
                f'{type(loss).__name__} has num_samples={num_samples} '
                f'rows but the training set {type(dataset).__name__} has '
                f'{len(dataset)} images; set model.head.loss.num_samples '
                f'to {len(dataset)}')

    def _check_evaluation(self, runner, loop_name: str) -> None:
        dataset = self._dataset(runner, loop_name)
        if dataset is None:
            return
        unknown = count_unknown_labels(dataset)
        if unknown:
            split = loop_name.replace('_loop', '')
            raise ValueError(
                f'the {split} dataset {type(dataset).__name__} has {unknown} '
                'unknown labels; evaluation needs full labels (hide labels '
                'in the training set only, docs/partial_labels.md)')
