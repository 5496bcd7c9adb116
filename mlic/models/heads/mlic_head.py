from typing import Dict, List, Optional, Tuple

import torch
from mmpretrain.structures import DataSample

from mlic.registry import MODELS
from .base_multilabel_head import BaseMultiLabelHead
from .utils import multilabel_targets


@MODELS.register_module()
class MLICHead(BaseMultiLabelHead):
    """The MLIC head: label-query transformer, co-occurrence graph, gated GNN
    and element-wise classifier (method.md §1), with the losses of §2.

    It keeps mmpretrain's head vocabulary (``pre_logits``/``forward``/
    ``loss``/``predict``) through :class:`BaseMultiLabelHead`, whose
    ``predict`` (``pred_score``, thresholded ``pred_label``) it reuses.

    Tensor flow for a (B, D, H', W') backbone map, N = H'·W':
    tokens X (B, N, D) -> g = mean(X) (B, D) -> F (B, C, D) -> A (B, C, C)
    -> H^T (B, C, D) -> logits from [F, H^T] (B, C).

    Args:
        num_classes (int): Number of labels C.
        in_channels (int, optional): D. Left ``None``, ``MLICClassifier``
            fills it from the backbone.
        num_encoder_layers (int): Transformer encoder depth. Defaults to 2.
        num_decoder_layers (int): Transformer decoder depth. Defaults to 1.
        num_heads (int): Attention heads. Defaults to 8.
        ffn_dim (int): Transformer FFN width. Defaults to 2048.
        dropout (float): Transformer dropout. Defaults to 0.1.
        num_steps (int): Graph propagation steps T. Defaults to 1.
        loss (dict): Classification loss config. Defaults to the reference's
            asymmetric loss with gamma_neg=2.
        contrastive_loss (dict, optional): Contrastive loss config; its
            ``loss_weight`` is λ. ``None`` (or λ = 0) turns the term and its
            two extra graph passes off.
        thr (float, optional): Score threshold of ``pred_label``.
            Defaults to 0.5.
        topk (int, optional): Used for ``pred_label`` when ``thr`` is None.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: Optional[int] = None,
                 num_encoder_layers: int = 2,
                 num_decoder_layers: int = 1,
                 num_heads: int = 8,
                 ffn_dim: int = 2048,
                 dropout: float = 0.1,
                 num_steps: int = 1,
                 loss: dict = dict(
                     type='ReferenceAsymmetricLoss', gamma_neg=2.0),
                 contrastive_loss: Optional[dict] = dict(
                     type='CooccurrenceContrastiveLoss', tau=1.0),
                 thr: Optional[float] = 0.5,
                 topk: Optional[int] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(num_classes, in_channels, loss, thr, topk, init_cfg)
        self.transformer = MODELS.build(
            dict(
                type='LabelQueryTransformer',
                num_classes=num_classes,
                embed_dims=in_channels,
                num_encoder_layers=num_encoder_layers,
                num_decoder_layers=num_decoder_layers,
                num_heads=num_heads,
                ffn_dim=ffn_dim,
                dropout=dropout))
        self.cooccurrence = MODELS.build(
            dict(
                type='CooccurrencePredictor',
                num_classes=num_classes,
                embed_dims=in_channels))
        self.graph_encoder = MODELS.build(
            dict(
                type='GatedGraphEncoder',
                embed_dims=in_channels,
                num_steps=num_steps))
        self.classifier = MODELS.build(
            dict(
                type='ElementwiseLinear',
                num_classes=num_classes,
                in_channels=2 * in_channels))
        self.contrastive_loss = None
        if contrastive_loss is not None and contrastive_loss.get(
                'loss_weight', 1.0) != 0:
            self.contrastive_loss = MODELS.build(contrastive_loss)

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Flatten the last backbone stage to tokens.

        Args:
            feats (tuple[Tensor]): Backbone outputs; the last is
                (B, D, H', W'), or already tokens (B, N, D).

        Returns:
            Tensor: Tokens X, (B, N, D).
        """
        x = feats[-1]
        if x.dim() == 2:
            raise ValueError(
                f'MLICHead needs spatial tokens, but the backbone gave pooled '
                f'features {tuple(x.shape)}; use ConvNeXt with '
                "gap_before_final_norm=False, VisionTransformer with "
                "out_type='featmap'")
        if x.dim() == 4:
            x = x.flatten(2).transpose(1, 2)
        if x.size(-1) != self.in_channels:
            raise ValueError(f'MLICHead expects backbone width '
                             f'in_channels={self.in_channels}, got features '
                             f'of shape {tuple(feats[-1].shape)}')
        return x

    def forward_features(self,
                         feats: Tuple[torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Run the head and keep the intermediate tensors.

        Returns:
            dict: ``label_feats`` F (B, C, D), ``adjacency`` A (B, C, C),
            ``graph_feats`` H^T (B, C, D) and ``logits`` (B, C).
        """
        tokens = self.pre_logits(feats)
        global_feat = tokens.mean(dim=1)
        label_feats = self.transformer(tokens)
        adjacency = self.cooccurrence(label_feats, global_feat)
        graph_feats = self.graph_encoder(label_feats, adjacency)
        logits = self.classifier(torch.cat([label_feats, graph_feats], -1))
        return dict(
            label_feats=label_feats,
            adjacency=adjacency,
            graph_feats=graph_feats,
            logits=logits)

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Returns the logits, (B, C)."""
        return self.forward_features(feats)['logits']

    def contrastive_views(
            self, label_feats: torch.Tensor, adjacency: torch.Tensor,
            targets: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Positive and negative graph views (method.md §2.2), no gradient.

        Both views go through the graph encoder as one (2B) batch.

        Args:
            label_feats (Tensor): F, (B, C, D).
            adjacency (Tensor): A, (B, C, C).
            targets (Tensor): (B, C) in {0, 1}.

        Returns:
            tuple[Tensor]: H+ and H-, each (B, C, D).
        """
        with torch.no_grad():
            targets = targets.to(adjacency.dtype)
            both_present = targets.unsqueeze(2) * targets.unsqueeze(1)
            views = torch.cat(
                [adjacency * both_present, adjacency * (1 - both_present)])
            out = self.graph_encoder(
                torch.cat([label_feats, label_feats]), views)
        return out.chunk(2)

    def loss(self, feats: Tuple[torch.Tensor],
             data_samples: List[DataSample], **kwargs) -> dict:
        """Classification loss and, when enabled, the contrastive loss.

        Returns:
            dict: ``loss`` (classification) and ``loss_contrastive``.
        """
        out = self.forward_features(feats)
        logits = out['logits']
        targets = multilabel_targets(data_samples, self.num_classes,
                                     logits.device)
        losses = dict(loss=self.loss_module(
            logits, targets, avg_factor=logits.size(0), **kwargs))
        if self.contrastive_loss is not None:
            positive, negative = self.contrastive_views(
                out['label_feats'], out['adjacency'], targets)
            losses['loss_contrastive'] = self.contrastive_loss(
                out['graph_feats'], positive, negative, targets)
        return losses
