from typing import Optional, Tuple

import torch
import torch.nn as nn

from mlic.registry import MODELS
from ..utils import sine_position_encoding
from .base_multilabel_head import BaseMultiLabelHead, LabelQueryMapsMixin


@MODELS.register_module()
class Query2LabelHead(LabelQueryMapsMixin, BaseMultiLabelHead):
    """A Query2Label-style head (Liu et al., "Query2Label: A Simple
    Transformer Way to Multi-Label Classification", 2021).

    Backbone tokens (B, N, D), plus a 2-D sine position encoding, are
    projected to ``embed_dims``; a transformer (encoder, then a decoder
    whose target sequence is one learned query per label) gives per-label
    features (B, C, E), and each label is scored by its own linear row.
    Built from mlic's ``LabelQueryTransformer`` and ``ElementwiseLinear``.
    Simplification against the paper: the position encoding is added to the
    tokens once instead of to every attention's keys and queries.

    Args:
        num_classes (int): Number of labels C.
        in_channels (int, optional): Backbone width D (filled by
            ``MLICClassifier``).
        embed_dims (int, optional): Transformer width; defaults to D.
        num_encoder_layers (int): Defaults to 1.
        num_decoder_layers (int): Defaults to 2.
        num_heads (int): Defaults to 8.
        ffn_dim (int): Defaults to 2048.
        dropout (float): Defaults to 0.1.
        position_encoding (bool): Add the sine encoding. Defaults to True.
        loss (dict): Classification loss. Defaults to the reference ASL.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: Optional[int] = None,
                 embed_dims: Optional[int] = None,
                 num_encoder_layers: int = 1,
                 num_decoder_layers: int = 2,
                 num_heads: int = 8,
                 ffn_dim: int = 2048,
                 dropout: float = 0.1,
                 position_encoding: bool = True,
                 loss: dict = dict(
                     type='ReferenceAsymmetricLoss', gamma_neg=2.0),
                 thr: Optional[float] = 0.5,
                 topk: Optional[int] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(num_classes, in_channels, loss, thr, topk, init_cfg)
        self.embed_dims = embed_dims or in_channels
        self.position_encoding = position_encoding
        self.input_proj = (
            nn.Identity() if self.embed_dims == in_channels else nn.Linear(
                in_channels, self.embed_dims))
        self.transformer = MODELS.build(
            dict(
                type='LabelQueryTransformer',
                num_classes=num_classes,
                embed_dims=self.embed_dims,
                num_encoder_layers=num_encoder_layers,
                num_decoder_layers=num_decoder_layers,
                num_heads=num_heads,
                ffn_dim=ffn_dim,
                dropout=dropout))
        self.classifier = MODELS.build(
            dict(
                type='ElementwiseLinear',
                num_classes=num_classes,
                in_channels=self.embed_dims))

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Per-label features, (B, C, E)."""
        x = feats[-1]
        if x.dim() != 4:
            raise ValueError('Query2LabelHead needs a (B, D, H, W) map, got '
                             f'{tuple(x.shape)}')
        b, d, h, w = x.shape
        tokens = self.input_proj(x.flatten(2).transpose(1, 2))
        if self.position_encoding:
            tokens = tokens + sine_position_encoding(
                h, w, self.embed_dims, device=x.device).to(tokens.dtype)
        return self.transformer(tokens)

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Logits, (B, C)."""
        return self.classifier(self.pre_logits(feats))
