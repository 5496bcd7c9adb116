import pickle
from typing import List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mlic.registry import METRICS
from mlic.utils.fileio import atomic_write
from .reference_multilabel_metric import records_to_arrays, sample_records


@METRICS.register_module()
class DumpMultiLabelPredictions(BaseMetric):
    """Write the test set's scores and targets to a pickle file.

    The file holds a dict of plain arrays, readable with ``pickle.load`` and
    with mlic's allow-list loader (``mlic.utils.safe_pickle_load``), which
    ``tools/analysis_tools/eval_metric.py`` uses:

    - ``scores``: (N, C) float32, in dataset order;
    - ``targets``: (N, C) bool;
    - ``ignore``: (N, C) bool (``gt_label_difficult``);
    - ``classes``: list of label names (when the dataset has them).

    Unlike mmengine's ``DumpResults`` it keeps no per-sample objects, so the
    file is small and safe to load. Records are collected like those of
    ``ReferenceMultiLabelMetric``, so distributed runs dump each image once.

    Args:
        out_file_path (str): Output ``.pkl`` path.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
    """

    def __init__(self,
                 out_file_path: str,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not out_file_path.endswith(('.pkl', '.pickle')):
            raise ValueError(
                f'out_file_path must end with .pkl, got {out_file_path}')
        self.out_file_path = out_file_path

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        self.results.extend(sample_records(data_samples))

    def compute_metrics(self, results: List[tuple]) -> dict:
        scores, targets, ignore = records_to_arrays(results)
        payload = dict(scores=scores, targets=targets, ignore=ignore)
        classes = (self.dataset_meta or {}).get('classes')
        if classes is not None:
            payload['classes'] = [str(c) for c in classes]
        atomic_write(self.out_file_path,
                     lambda f: pickle.dump(payload, f, protocol=2))
        MMLogger.get_current_instance().info(
            f'predictions of {len(scores)} images written to '
            f'{self.out_file_path}')
        return {}
