from typing import List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MessageHub, MMLogger

from mlic.registry import METRICS
from mlic.utils.label_encoding import UNKNOWN_KEY, index_lists_to_mask
from ..functional import multilabel_metrics


@METRICS.register_module()
class ReferenceMultiLabelMetric(BaseMetric):
    """mAP and CP/CR/CF1/OP/OR/OF1 (at a threshold and over the top k) as
    the MLIC reference computes them; see
    :func:`mlic.evaluation.multilabel_metrics` for the exact rules.

    Reads ``pred_score``, ``gt_label`` and, where present,
    ``gt_label_difficult`` (labels to leave out of that image's AP and
    counts) from the data samples; a sample with unknown labels
    (``gt_label_unknown``) is refused, naming the image. Each sample is kept
    as one small record (its score row and label indices), so mmengine's
    distributed collection puts every test image back in dataset order
    exactly once, dropping the sampler's padding, whatever the number of
    processes. The dense (N, C) arrays are built once, in
    ``compute_metrics``.

    Args:
        threshold (float): Score threshold. Defaults to 0.5.
        topk (int): k of the top-k metrics. Defaults to 3.
        ap (str): ``'voc12'`` (the reference's) or ``'voc07'``.
        ties (str): Equal scores in the AP: ``'block'`` (ranked as one
            block, independent of the image order; the default) or
            ``'reference'`` (the reference's order, for exact parity).
        classwise (bool): Log a per-label AP table with the label names.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str): Metric name prefix. Defaults to ``'multi-label'``.
    """
    default_prefix: Optional[str] = 'multi-label'

    def __init__(self,
                 threshold: float = 0.5,
                 topk: int = 3,
                 ap: str = 'voc12',
                 ties: str = 'block',
                 classwise: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if ap not in ('voc12', 'voc07'):
            raise ValueError(f"ap must be 'voc12' or 'voc07', got {ap!r}")
        self.threshold = threshold
        self.topk = topk
        if ties not in ('block', 'reference'):
            raise ValueError(
                f"ties must be 'block' or 'reference', got {ties!r}")
        self.ap = ap
        self.ties = ties
        self.classwise = classwise

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        self.results.extend(sample_records(data_samples))

    def compute_metrics(self, results: List[tuple]) -> dict:
        scores, targets, ignore = records_to_arrays(results)
        try:
            metrics = multilabel_metrics(
                scores,
                targets,
                ignore=ignore if ignore.any() else None,
                threshold=self.threshold,
                topk=self.topk,
                ap=self.ap,
                ties=self.ties)
        except FloatingPointError as err:
            hub = MessageHub.get_current_instance()
            # RuntimeInfoHook records the 0-based epoch being trained.
            epoch = hub.get_info('epoch')
            where = f' after epoch {epoch + 1}' if epoch is not None else ''
            raise FloatingPointError(
                f'{self.prefix} evaluation{where}: {err}') from None
        # The per-label list would flood the log line; it is shown as a
        # table when asked.
        per_label = metrics.pop('AP_classwise')
        if self.classwise:
            self._log_table(per_label)
        if metrics['num_labels_without_positives']:
            MMLogger.get_current_instance().warning(
                f'{metrics["num_labels_without_positives"]} label(s) have no '
                'positive test image; each counts as AP 0 in the mAP')
        return metrics

    def _log_table(self, aps: List[float]) -> None:
        classes = (self.dataset_meta
                   or {}).get('classes') or [str(i) for i in range(len(aps))]
        width = max(len('label'), *(len(str(c)) for c in classes))
        lines = [f'{"label":<{width}}  AP (%)']
        lines += [
            f'{str(c):<{width}}  {ap:6.2f}' for c, ap in zip(classes, aps)
        ]
        MMLogger.get_current_instance().info('per-label AP:\n' +
                                             '\n'.join(lines))


def sample_records(data_samples: Sequence[dict]) -> List[tuple]:
    """One (score row, label indices, ignored label indices) per sample.

    Raises:
        ValueError: a sample has unknown labels (``gt_label_unknown``,
            docs/partial_labels.md); the message names the image and the
            labels. The metrics are defined on full labels only.
    """
    for sample in data_samples:
        unknown = _indices(sample.get(UNKNOWN_KEY, ()))
        if unknown.size:
            image = sample.get('img_path', sample.get('sample_idx', '?'))
            raise ValueError(
                f'image {image} has unknown labels {unknown.tolist()} in an '
                'evaluation; the metrics need full labels (hide labels in '
                'the training set only)')
    scores = torch.stack([s['pred_score'] for s in data_samples])
    scores = scores.detach().float().cpu().numpy()
    return [(row, _indices(sample['gt_label']),
             _indices(sample.get('gt_label_difficult', ())))
            for row, sample in zip(scores, data_samples)]


def records_to_arrays(records: List[tuple]):
    """Dense (N, C) scores (float32), targets and ignore mask (bool)."""
    scores = np.stack([r[0] for r in records])
    targets = index_lists_to_mask([r[1] for r in records], scores.shape[1])
    ignore = index_lists_to_mask([r[2] for r in records], scores.shape[1])
    return scores, targets, ignore


def _indices(labels) -> np.ndarray:
    if isinstance(labels, torch.Tensor):
        return labels.detach().cpu().numpy().astype(np.int64).ravel()
    return np.asarray(labels, dtype=np.int64).ravel()
