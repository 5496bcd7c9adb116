from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.heads import MultiLabelClsHead
from mmpretrain.structures import DataSample

from mlic.registry import MODELS
from ..utils import multilabel_targets

#: ``kind`` of the maps a head's ``label_maps`` returns.
QUERY_ATTENTION = 'label-query attention'
CLASS_ACTIVATION = 'class activation map'


class BaseMultiLabelHead(MultiLabelClsHead):
    """What mlic's heads share on top of mmpretrain's ``MultiLabelClsHead``.

    - the loss is built with mlic's registry, so a head also builds outside
      an ``'mlic'`` default scope;
    - ``in_channels`` (the backbone width D) is required; ``MLICClassifier``
      fills it from the backbone;
    - ``loss`` scores ``forward(feats)`` (B, C) against vectorised multi-hot
      targets; ``predict`` reuses mmpretrain's post-processing
      (``pred_score``, thresholded ``pred_label``).

    Subclasses implement ``forward(feats) -> logits (B, C)``. A head that
    can show where each label looks also implements ``label_maps(feats)``
    -> dict(``logits`` (B, C), ``maps`` (B, C, H', W') on the grid of
    ``feats[-1]``, ``kind``: :data:`QUERY_ATTENTION` or
    :data:`CLASS_ACTIVATION`); the visual tools, the web demo and the docs
    call it (:func:`mlic.visualization.label_maps`). A head that uses a
    label graph exposes it as ``label_graph(feats)`` -> (B, C, C)
    (:func:`mlic.visualization.label_maps.predicted_cooccurrence`).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: Optional[int],
                 loss: dict,
                 thr: Optional[float] = 0.5,
                 topk: Optional[int] = None,
                 init_cfg: Optional[dict] = None):
        if not isinstance(loss, nn.Module):
            loss = MODELS.build(loss)
        super().__init__(loss=loss, thr=thr, topk=topk, init_cfg=init_cfg)
        if in_channels is None:
            raise ValueError(
                f'{type(self).__name__} needs in_channels (the backbone '
                'width D); build it through MLICClassifier, which reads D '
                'from the backbone, or set head.in_channels in the config')
        self.num_classes = num_classes
        self.in_channels = in_channels

    def loss(self,
             feats: Tuple[torch.Tensor],
             data_samples: List[DataSample],
             targets: Optional[torch.Tensor] = None,
             **kwargs) -> dict:
        """The loss of ``forward(feats)``; ``targets`` (B, C) when the
        caller has made them already (``MLICClassifier`` with an embedding
        loss), else made from ``data_samples``."""
        logits = self(feats)
        if targets is None:
            targets = multilabel_targets(data_samples, self.num_classes,
                                         logits.device)
        return dict(
            loss=self.loss_module(
                logits, targets, avg_factor=logits.size(0), **kwargs))

    def predict(
        self,
        feats: Tuple[torch.Tensor],
        data_samples: Optional[Sequence[Optional[DataSample]]] = None
    ) -> List[DataSample]:
        """Scores (``pred_score``) and thresholded labels (``pred_label``)."""
        return self._get_predictions(self(feats), data_samples)


class LabelQueryMapsMixin:
    """``label_maps`` for heads that decode one query per label with a
    :class:`~mlic.models.layers.LabelQueryTransformer` in
    ``self.transformer`` (MLIC, Query2Label): the queries' cross-attention
    over the image tokens."""

    def label_maps(self, feats: Tuple[torch.Tensor]) -> dict:
        """Logits (B, C) and each label query's cross-attention over the
        (H', W') grid of ``feats[-1]`` in the last decoder layer, averaged
        over heads (sums to 1 per label), (B, C, H', W')."""
        with self.transformer.record_cross_attention() as captured:
            logits = self(feats)
        grid = feats[-1].shape[-2:]
        return dict(
            logits=logits,
            maps=captured['weights'].unflatten(-1, tuple(grid)),
            kind=QUERY_ATTENTION)
