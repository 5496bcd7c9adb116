"""Where each label looks, and which labels the model ties together: the
tensors behind ``tools/visualization/vis_attention.py`` and
``vis_cooccurrence.py``, read from a built model without changing it.

- Label-query heads (``MLICHead``, ``Query2LabelHead``, both built on
  :class:`LabelQueryTransformer`): the last decoder layer's cross-attention
  of each label query over the image tokens, averaged over heads. PyTorch's
  decoder layer calls its attention with ``need_weights=False``; a forward
  pre-hook turns the weights on for this one call, so nothing in the model
  is patched.
- Globally pooled linear heads (mmpretrain's ``MultiLabelLinearClsHead``
  after ``GlobalAveragePooling``, ``MLGCNHead``) and ``CSRAClsHead``: class
  activation maps, in closed form: the logit is the mean over positions of
  ``W · x(p)`` (+ bias), so ``W · x(p)`` is exact (CAM, Zhou et al. 2016);
  for CSRA it is the class-specific score map its attention pools. This is
  why mmpretrain's ``vis_cam.py`` route (pytorch-grad-cam, gradients of one
  target class, an extra dependency) is not used: the exact map needs one
  forward pass for all labels at once.
"""
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmpretrain.models.heads import CSRAClsHead, MultiLabelLinearClsHead
from mmpretrain.models.necks import GlobalAveragePooling

from mlic.models.heads import MLGCNHead, MLICHead, Query2LabelHead

#: What :func:`label_maps` returns under ``kind``, per head type.
QUERY_ATTENTION = 'label-query attention'
CLASS_ACTIVATION = 'class activation map'


def _decoder_cross_attention(head: nn.Module) -> nn.MultiheadAttention:
    return head.transformer.transformer.decoder.layers[-1].multihead_attn


def _class_activation(model: nn.Module, fmap: torch.Tensor) -> torch.Tensor:
    """(B, C, H', W') maps whose spatial mean (+ bias) is the logit."""
    head = model.head
    if isinstance(head, CSRAClsHead):
        maps = 0
        for module in head.csra_heads:
            weight = module.head.weight  # (C, D, 1, 1)
            maps = maps + module.head(fmap) / weight.flatten(1).norm(
                dim=1)[None, :, None, None]
        return maps
    if isinstance(head, MLGCNHead):
        weight, bias = head.label_classifiers(), None  # (C, D)
    elif isinstance(head, MultiLabelLinearClsHead) and isinstance(
            getattr(model, 'neck', None), GlobalAveragePooling):
        weight, bias = head.fc.weight, head.fc.bias
    else:
        raise TypeError(f'no label maps for {type(head).__name__} (after '
                        f'{type(getattr(model, "neck", None)).__name__})')
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
    """
    with torch.no_grad():
        feats = model.backbone(inputs)  # before any pooling neck
        fmap = feats[-1]
        if fmap.dim() != 4:
            raise ValueError(f'label maps need a (B, D, H, W) feature map, '
                             f'got {tuple(fmap.shape)}')
        height, width = fmap.shape[-2:]
        head = model.head
        if isinstance(head, (MLICHead, Query2LabelHead)):
            captured = {}
            attn = _decoder_cross_attention(head)

            def want_weights(module, args, kwargs):
                return args, dict(
                    kwargs, need_weights=True, average_attn_weights=True)

            def keep(module, args, output):
                captured['weights'] = output[1]  # (B, C, N)

            handles = [
                attn.register_forward_pre_hook(want_weights, with_kwargs=True),
                attn.register_forward_hook(keep)
            ]
            try:
                logits = head(feats)
            finally:
                for handle in handles:
                    handle.remove()
            maps = captured['weights'].unflatten(-1, (height, width))
            kind = QUERY_ATTENTION
        else:
            logits = head(model.neck(feats) if model.with_neck else feats)
            maps = _class_activation(model, fmap)
            kind = CLASS_ACTIVATION
    return dict(scores=logits.sigmoid(), maps=maps, kind=kind)


def predicted_cooccurrence(model: nn.Module,
                           inputs: torch.Tensor) -> Optional[torch.Tensor]:
    """The label graph a model uses for these images, or ``None`` for heads
    without one (baseline, CSRA, Query2Label).

    Returns:
        Tensor | None: (B, C, C): MLIC's predicted co-occurrence A per
        image (row i: how much label i draws on each label j), or
        ML-GCN's fixed adjacency repeated over the batch.
    """
    head = model.head
    with torch.no_grad():
        if isinstance(head, MLICHead) and head.cooccurrence is not None:
            out = head.forward_features(model.backbone(inputs))
            return out['adjacency']
        if isinstance(head, MLGCNHead):
            return head.adjacency.expand(len(inputs), -1, -1)
    return None
