from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.heads import MultiLabelClsHead
from mmpretrain.structures import DataSample

from mlic.registry import MODELS
from ..utils import (accepts_unknown_labels, multilabel_targets,
                     refuse_unknown_labels, sample_index_kwargs)

#: ``kind`` of the maps a head's ``label_maps`` returns.
QUERY_ATTENTION = 'label-query attention'
CLASS_ACTIVATION = 'class activation map'


class TargetsFromDataSamplesMixin:
    """The loss of a multi-label head whose targets come from mlic's one
    funnel, :func:`~mlic.models.utils.multilabel_targets` (1 / 0 / -1 for
    unknown labels), instead of mmpretrain's ``gt_label``/``gt_score``
    reading, which knows no unknown label. Needs ``self.loss_module``;
    shared by :class:`BaseMultiLabelHead` and the
    heads mlic reuses from mmpretrain (:class:`CSRAHead`).
    """

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
            targets = multilabel_targets(data_samples, logits.size(1),
                                         logits.device)
        self.check_unknown_labels(targets)
        kwargs.update(
            sample_index_kwargs(self.loss_module, data_samples, logits.device))
        return dict(
            loss=self.loss_module(
                logits, targets, avg_factor=logits.size(0), **kwargs))

    @property
    def accepts_unknown_labels(self) -> bool:
        """Whether the loss honours unknown labels (targets -1)."""
        return accepts_unknown_labels(self.loss_module)

    def check_unknown_labels(self, targets: torch.Tensor) -> None:
        """Refuse targets with unknown labels (-1) unless the loss
        honours them (:func:`refuse_unknown_labels`)."""
        refuse_unknown_labels(self.loss_module, targets,
                              f'{type(self).__name__}.loss')


class BaseMultiLabelHead(TargetsFromDataSamplesMixin, MultiLabelClsHead):
    """What mlic's heads share on top of mmpretrain's ``MultiLabelClsHead``.

    - the loss is built with mlic's registry, so a head also builds outside
      an ``'mlic'`` default scope;
    - ``in_channels`` (the backbone width D) is required; ``MLICClassifier``
      fills it from the backbone;
    - ``loss`` scores ``forward(feats)`` (B, C) against vectorised multi-hot
      targets; ``predict`` reuses mmpretrain's post-processing
      (``pred_score``, thresholded ``pred_label``).

    - targets may hold -1 for unknown labels (docs/partial_labels.md);
      ``accepts_unknown_labels`` says whether the loss honours them, and
      ``loss`` refuses a batch with unknown labels when it does not, rather
      than let the loss read them as negatives.

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
