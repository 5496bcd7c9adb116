import numpy as np
import torch
from mmengine.hooks import Hook

from mlic.datasets.statistics import dataset_label_statistics
from mlic.registry import HOOKS
from mlic.utils.distributed import unwrap_model


def dataset_cooccurrence(dataset, num_classes: int):
    """(C, C) co-occurrence counts and their (C, C) denominators (images
    with label i whose label j is known; with full labels every row is
    label i's count), as float tensors, from the dataset's labels (no image
    is read). ``cooccurrence / denominators`` is P(j | i) over known labels
    (:func:`~mlic.datasets.statistics.label_statistics`)."""
    stats = dataset_label_statistics(dataset, num_classes)
    return (torch.from_numpy(stats['cooccurrence'].astype(np.float32)),
            torch.from_numpy(stats['known_pairs'].astype(np.float32)))


@HOOKS.register_module()
class LabelCooccurrenceHook(Hook):
    """Estimate the label graph of a head from the training labels before
    training (e.g. :class:`MLGCNHead`): calls
    ``head.set_label_statistics(cooccurrence, label_counts)`` with the
    (C, C) denominators of :func:`dataset_cooccurrence` as counts, so
    unknown labels (docs/partial_labels.md) enter no statistic. The graph
    is a buffer, so checkpoints carry it to testing and inference."""

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        model = unwrap_model(runner.model)
        head = model.head
        if not hasattr(head, 'set_label_statistics'):
            raise TypeError(f'{type(head).__name__} has no '
                            'set_label_statistics; LabelCooccurrenceHook '
                            'serves heads with a label graph')
        cooc, counts = dataset_cooccurrence(runner.train_dataloader.dataset,
                                            head.num_classes)
        head.set_label_statistics(
            cooc.to(head.adjacency.device), counts.to(head.adjacency.device))
