"""Everything a person looking at one prediction wants to see: every
label's score and decision, where the best labels look, and which labels
the model ties together for this image. The web demo (demo/web_demo.py)
draws this; it has no Gradio in it, so it is tested without a browser.

Each part is the package's own: scores and decisions from
:class:`MultiLabelInferencer` (the same numbers ``demo/image_demo.py``
prints), the maps from :func:`mlic.visualization.label_maps`, the graph
from :func:`~mlic.visualization.label_maps.predicted_cooccurrence`, the
training labels' P(j | i) from
:func:`~mlic.datasets.statistics.dataset_label_statistics`, and the image
shown is the one the test pipeline's loading step reads.
"""
import time
from typing import Dict, List, Optional, Sequence, Union

import cv2
import numpy as np
import torch

from mlic.evaluation.functional import per_label_thresholds
from mlic.registry import DATASETS, TRANSFORMS
from mlic.visualization import (draw_matrix_heatmap, overlay_heatmap,
                                side_by_side)
from mlic.visualization.label_maps import (label_maps, predicted_cooccurrence,
                                           unit_map)
from .model import preprocess_images
from .multilabel_inferencer import MultiLabelInferencer

#: Side in px of the image and map panels.
PANEL = 256


class ImageExplainer:
    """Scores, decisions, label maps and the label graph of single images.

    Args:
        model (nn.Module): A model from :func:`~mlic.apis.init_model` (it
            carries its config and class names).
        thresholds (str | sequence, optional): A per-label thresholds JSON
            file (``eval_metric.py --search-thresholds``) or C values; when
            given, they decide instead of the global threshold of
            :meth:`explain`.
    """

    def __init__(self,
                 model: torch.nn.Module,
                 thresholds: Optional[Union[str, Sequence[float]]] = None):
        self.model = model
        self.inferencer = MultiLabelInferencer(model, num_workers=0)
        self.classes: List[str] = self.inferencer.classes
        self.per_label_thresholds = thresholds
        # the image shown is read as the test pipeline reads it
        first = dict(model.cfg.test_dataloader.dataset.pipeline[0])
        if 'LoadImage' not in first['type']:
            first = dict(type='CheckedLoadImageFromFile')
        self._load = TRANSFORMS.build(first)
        self._conditional: Optional[np.ndarray] = None
        self._conditional_error: Optional[str] = None

    def training_conditional(self) -> Optional[np.ndarray]:
        """The training labels' P(j | i), (C, C), read once from the
        config's training set (no image is read); None when that set
        cannot be built here (``training_conditional_error`` says why)."""
        if self._conditional is None and self._conditional_error is None:
            from mlic.datasets.statistics import dataset_label_statistics
            try:
                dataset = DATASETS.build(
                    self.model.cfg.train_dataloader.dataset)
                self._conditional = dataset_label_statistics(
                    dataset, len(self.classes))['conditional']
            except (OSError, ValueError, KeyError) as err:
                # shown on the page beside the predicted graph
                self._conditional_error = f'{type(err).__name__}: {err}'
        return self._conditional

    @property
    def training_conditional_error(self) -> Optional[str]:
        return self._conditional_error

    def explain(self,
                image_path: str,
                threshold: float = 0.5,
                num_maps: int = 4) -> Dict[str, object]:
        """Explain one image file.

        Args:
            image_path (str): The image.
            threshold (float): Global score threshold, unless per-label
                thresholds were given.
            num_maps (int): How many of the best labels get a map (and
                make the graph's rows and columns).

        Returns:
            dict: ``error`` (None, or why the image could not be read; then
            nothing else is filled), ``scores`` (C,) float, ``thresholds``
            (C,), ``order`` (label indices, best first), ``predicted``
            (indices at or above their threshold, best first), ``image``
            (BGR uint8, the panel), ``maps`` (list of (label index, score,
            BGR overlay)), ``map_kind``, ``graph`` (BGR image or None),
            ``graph_note`` (str), ``timings_ms`` (dict).
        """
        timings = {}
        start = time.perf_counter()
        thresholds = (
            self.per_label_thresholds
            if self.per_label_thresholds is not None else float(threshold))
        result = self.inferencer(
            image_path, threshold=thresholds, show_progress=False)[0]
        timings['scores'] = _ms(start)
        if result['error']:
            return dict(error=result['error'], timings_ms=timings)
        scores = result['pred_scores']
        out = dict(
            error=None,
            scores=scores,
            thresholds=per_label_thresholds(thresholds, self.classes),
            order=np.argsort(-scores, kind='stable').tolist(),
            predicted=result['pred_labels'])

        step = time.perf_counter()
        img = self._load(dict(img_path=image_path))['img']
        img = cv2.resize(img, (PANEL, PANEL), interpolation=cv2.INTER_AREA)
        if img.ndim == 2:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        out['image'] = img
        with torch.no_grad():
            data = preprocess_images(self.model, [image_path])
            maps = label_maps(self.model, data['inputs'])
        label_map = maps['maps'][0].float().cpu().numpy()
        shown = out['order'][:max(1, num_maps)]
        out['maps'] = [(c, float(scores[c]),
                        overlay_heatmap(img,
                                        unit_map(label_map[c], maps['kind'])))
                       for c in shown]
        out['map_kind'] = maps['kind']
        timings['maps'] = _ms(step)

        step = time.perf_counter()
        out['graph'], out['graph_note'] = self._graph(data['inputs'], shown)
        timings['graph'] = _ms(step)
        timings['total'] = _ms(start)
        out['timings_ms'] = timings
        return out

    def _graph(self, inputs: torch.Tensor, shown: List[int]):
        with torch.no_grad():
            graph = predicted_cooccurrence(self.model, inputs)
        head = type(self.model.head).__name__
        if graph is None:
            return None, f'{head} has no label graph'
        if len(shown) < 2:
            return None, 'a graph needs at least two labels shown'
        names = [self.classes[c] for c in shown]
        rows = np.ix_(shown, shown)
        per_image = getattr(self.model.head, 'label_graph_per_image', True)
        what = 'predicted for this image' if per_image else 'fixed'
        panels = [
            draw_matrix_heatmap(
                graph[0].float().cpu().numpy()[rows],
                names,
                cell=40,
                title='predicted' if per_image else 'fixed graph',
                vmax=1.0)
        ]
        conditional = self.training_conditional()
        if conditional is not None:
            panels.append(
                draw_matrix_heatmap(
                    conditional[rows],
                    names,
                    cell=40,
                    title='training labels',
                    vmax=1.0))
            note = (f'{head} graph {what} beside the training labels\' '
                    'P(column | row), over the labels shown')
        else:
            note = (f'{head} graph {what}; the training labels are not '
                    f'available here ({self.training_conditional_error})')
        return side_by_side(panels, gap=24), note


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
