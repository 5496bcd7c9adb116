"""Where each label looks, and which labels the model ties together: the
tensors behind ``tools/visualization/vis_attention.py`` and
``vis_cooccurrence.py``, read from a built model without changing it.

The maps come from the head: a head that can show where each label looks
has a ``label_maps(feats)`` method (the protocol is in
:class:`~mlic.models.heads.BaseMultiLabelHead`): MLIC and Query2Label
return their label queries' cross-attention, ML-GCN and CSRA their class
(score) maps. A head without the method gets class activation maps when it
has a linear classifier ``fc`` over the backbone's D channels
(mmpretrain's ``MultiLabelLinearClsHead`` after a pooling neck, the
extending.md head): ``W x(p) + b`` (Zhou et al., CVPR 2016), exact
contributions to the logit when the head averages over positions, and where
each label's classifier responds otherwise. Nothing here names a head.

mmpretrain's ``vis_cam.py`` route (pytorch-grad-cam, gradients of one
target class, an extra dependency) is not used: these maps need one
forward pass for all labels at once.
"""
from typing import Dict, Optional

import numpy as np
import torch
import torch.nn as nn

from mlic.models.heads.base_multilabel_head import (CLASS_ACTIVATION,
                                                    QUERY_ATTENTION)
from mlic.utils.errors import ConfigError

__all__ = [
    'CLASS_ACTIVATION', 'QUERY_ATTENTION', 'label_maps',
    'predicted_cooccurrence', 'unit_map'
]


def _linear_maps(head: nn.Module, fmap: torch.Tensor) -> torch.Tensor:
    weight, bias = head.fc.weight, head.fc.bias
    maps = torch.einsum('cd,bdhw->bchw', weight, fmap)
    return maps if bias is None else maps + bias[None, :, None, None]


def label_maps(model: nn.Module, inputs: torch.Tensor) -> Dict[str, object]:
    """Per-label spatial maps and scores of a batch.

    Args:
        model (nn.Module): A classifier (``ImageClassifier`` or
            ``MLICClassifier``) in eval mode.
        inputs (Tensor): Preprocessed images, (B, 3, H, W).

    Returns:
        dict: ``scores`` (B, C) sigmoid scores, ``maps`` (B, C, H', W') on
        the last backbone stage's grid (attention weights sum to 1 over the
        grid; CAMs are logit contributions) and ``kind`` (str).

    Raises:
        ConfigError: the head has no ``label_maps`` method and no linear
            classifier over the backbone's channels; the message says what
            to add.
    """
    with torch.no_grad():
        feats = model.backbone(inputs)  # before any pooling neck
        fmap = feats[-1]
        if fmap.dim() != 4:
            raise ValueError(f'label maps need a (B, D, H, W) feature map, '
                             f'got {tuple(fmap.shape)}')
        head = model.head
        if hasattr(head, 'label_maps'):
            out = head.label_maps(feats)
            return dict(
                scores=out['logits'].sigmoid(),
                maps=out['maps'],
                kind=out['kind'])
        fc = getattr(head, 'fc', None)
        if isinstance(fc, nn.Linear) and fc.in_features == fmap.size(1):
            maps = _linear_maps(head, fmap)
        else:
            raise ConfigError(
                f'{type(head).__name__} cannot show where its labels look: '
                'give it a label_maps(feats) method (docs/extending.md), or '
                f'a linear classifier `fc` over the {fmap.size(1)} backbone '
                'channels, which gets class activation maps')
        logits = head(model.neck(feats) if model.with_neck else feats)
    return dict(scores=logits.sigmoid(), maps=maps, kind=CLASS_ACTIVATION)


def predicted_cooccurrence(model: nn.Module,
                           inputs: torch.Tensor) -> Optional[torch.Tensor]:
    """The label graph a model uses for these images, or ``None`` for heads
    without one (baseline, CSRA, Query2Label): the head's
    ``label_graph(feats)`` where it has one.

    Returns:
        Tensor | None: (B, C, C): MLIC's predicted co-occurrence A per
        image (row i: how much label i draws on each label j), or
        ML-GCN's fixed adjacency repeated over the batch.
    """
    head = model.head
    if not hasattr(head, 'label_graph'):
        return None
    with torch.no_grad():
        return head.label_graph(model.backbone(inputs))


def unit_map(label_map: np.ndarray, kind: str) -> np.ndarray:
    """One label's (h, w) map scaled to [0, 1] for drawing: a class
    activation map (logit contributions, any sign) is shifted to start at
    0, then every map is divided by its maximum."""
    heat = np.asarray(label_map, np.float32)
    if kind == CLASS_ACTIVATION:
        heat = heat - heat.min()
    return heat / max(float(heat.max()), 1e-12)
