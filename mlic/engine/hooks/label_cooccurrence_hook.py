import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mlic.datasets.statistics import dataset_label_statistics
from mlic.registry import HOOKS


def dataset_cooccurrence(dataset, num_classes: int):
    """(C, C) co-occurrence counts and (C,) label counts of a dataset, as
    float tensors, from ``get_cat_ids`` (no image is read)."""
    stats = dataset_label_statistics(dataset, num_classes)
    return (torch.from_numpy(stats['cooccurrence'].astype(np.float32)),
            torch.from_numpy(stats['frequency'].astype(np.float32)))


@HOOKS.register_module()
class LabelCooccurrenceHook(Hook):
    """Estimate the label graph of a head from the training labels before
    training (e.g. :class:`MLGCNHead`): calls
    ``head.set_label_statistics(cooccurrence, label_counts)``. The graph is
    a buffer, so checkpoints carry it to testing and inference."""

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        head = model.head
        if not hasattr(head, 'set_label_statistics'):
            raise TypeError(f'{type(head).__name__} has no '
                            'set_label_statistics; LabelCooccurrenceHook '
                            'serves heads with a label graph')
        cooc, counts = dataset_cooccurrence(runner.train_dataloader.dataset,
                                            head.num_classes)
        head.set_label_statistics(
            cooc.to(head.adjacency.device), counts.to(head.adjacency.device))
