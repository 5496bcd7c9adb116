from typing import Dict, List, Optional, Tuple

import torch
from mmpretrain.structures import DataSample

from mlic.registry import MODELS
from ..utils import (multilabel_targets, present_label_slots,
                     sample_index_kwargs)
from .base_multilabel_head import BaseMultiLabelHead, LabelQueryMapsMixin
from .graph_diagnostics import graph_diagnostics


@MODELS.register_module()
class MLICHead(LabelQueryMapsMixin, BaseMultiLabelHead):
    """The MLIC head: label-query transformer, co-occurrence graph, gated GNN
    and element-wise classifier (docs/method.md §1), with the losses of §2.

    It keeps mmpretrain's head vocabulary (``pre_logits``/``forward``/
    ``loss``/``predict``) through :class:`BaseMultiLabelHead`, whose
    ``predict`` (``pred_score``, thresholded ``pred_label``) it reuses.

    Tensor flow for a (B, D, H', W') backbone map, N = H'·W':
    tokens X (B, N, D) -> g = mean(X) (B, D) -> F (B, C, D) -> A (B, C, C)
    -> H^T (B, C, D) -> logits from [F, H^T] (B, C).

    Each part is a sub-config built through the registry, as mmpretrain's
    heads take ``loss=dict(...)``; ``num_classes`` and the widths are filled
    in, so a config names only what it changes. Ablations swap a part:
    ``cooccurrence=dict(type='UniformCooccurrence')`` (a fixed graph),
    ``graph_encoder=None`` (label features F go straight to the classifier,
    which then reads (B, C, D); the co-occurrence part and the contrastive
    loss, which lives on graph outputs, must then be ``None`` too),
    ``contrastive_loss=None`` (λ = 0), ``graph_encoder=dict(num_steps=T)``.

    Args:
        num_classes (int): Number of labels C.
        in_channels (int, optional): D. Left ``None``, ``MLICClassifier``
            fills it from the backbone.
        transformer (dict): Label-query transformer, tokens -> F.
            Defaults to ``LabelQueryTransformer`` (2 encoder layers,
            1 decoder layer, 8 heads, FFN 2048, dropout 0.1).
        cooccurrence (dict, optional): (F, g) -> A. Defaults to
            ``CooccurrencePredictor``.
        graph_encoder (dict, optional): (F, A) -> H^T. Defaults to
            ``GatedGraphEncoder`` with T = 1.
        classifier (dict): Per-label scorer. Defaults to
            ``ElementwiseLinear``.
        loss (dict): Classification loss config. Defaults to the reference's
            asymmetric loss with gamma_neg=2.
        contrastive_loss (dict, optional): Contrastive loss config; its
            ``loss_weight`` is λ. ``None`` (or λ = 0) turns the term and its
            two extra graph passes off.
        thr (float, optional): Score threshold of ``pred_label``.
            Defaults to 0.5.
        topk (int, optional): Used for ``pred_label`` when ``thr`` is None.
        contrastive_graph_grad (bool): Whether the contrastive loss's
            gradient reaches the predicted graph A (the paper: True). False
            is an opt-in variant against the graph collapse
            (docs/method.md, "The graph collapse"): the contrastive term
            gets its own anchor pass on a detached A (one more graph-encoder
            pass per step), so A is learned from the classification loss
            only.
        init_cfg (dict, optional): Initialisation config.
    """

    #: ``label_graph`` is predicted from each image (the visual tools draw
    #: it per image and call it "predicted").
    label_graph_per_image = True

    def __init__(
            self,
            num_classes: int,
            in_channels: Optional[int] = None,
            transformer: dict = dict(type='LabelQueryTransformer'),
            cooccurrence: Optional[dict] = dict(type='CooccurrencePredictor'),
            graph_encoder: Optional[dict] = dict(
                type='GatedGraphEncoder', num_steps=1),
            classifier: dict = dict(type='ElementwiseLinear'),
            loss: dict = dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0),
            contrastive_loss: Optional[dict] = dict(
                type='CooccurrenceContrastiveLoss', tau=1.0),
            thr: Optional[float] = 0.5,
            topk: Optional[int] = None,
            contrastive_graph_grad: bool = True,
            init_cfg: Optional[dict] = None):
        super().__init__(num_classes, in_channels, loss, thr, topk, init_cfg)
        self.contrastive_graph_grad = bool(contrastive_graph_grad)
        if contrastive_loss is not None and contrastive_loss.get(
                'loss_weight', 1.0) == 0:
            contrastive_loss = None
        if graph_encoder is None and (cooccurrence is not None
                                      or contrastive_loss is not None):
            raise ValueError(
                'MLICHead: graph_encoder=None leaves nothing to use the '
                'co-occurrence graph or the contrastive loss (it compares '
                'graph outputs); set cooccurrence=None and '
                'contrastive_loss=None as well')
        if graph_encoder is not None and cooccurrence is None:
            raise ValueError(
                'MLICHead: the graph encoder needs a co-occurrence part; use '
                "cooccurrence=dict(type='UniformCooccurrence') for a fixed "
                'graph')
        # Built in this order so that a seed gives the same initial weights
        # as before the parts became sub-configs.
        self.transformer = MODELS.build(
            dict(transformer, num_classes=num_classes, embed_dims=in_channels))
        self.cooccurrence = None if cooccurrence is None else MODELS.build(
            dict(
                cooccurrence, num_classes=num_classes, embed_dims=in_channels))
        self.graph_encoder = None if graph_encoder is None else \
            MODELS.build(dict(graph_encoder, embed_dims=in_channels))
        width = in_channels if graph_encoder is None else 2 * in_channels
        self.classifier = MODELS.build(
            dict(classifier, num_classes=num_classes, in_channels=width))
        self.contrastive_loss = None if contrastive_loss is None else \
            MODELS.build(contrastive_loss)
        # Set by enable_graph_diagnostics (GraphDiagnosticsHook).
        self._diagnostics_conditional: Optional[torch.Tensor] = None
        self._diagnostics_on = False

    def enable_graph_diagnostics(self,
                                 conditional: Optional[torch.Tensor] = None
                                 ) -> None:
        """Add the predicted graph's summaries (:func:`graph_diagnostics`)
        to the loss dict of every training step, for the log.

        Args:
            conditional (Tensor, optional): (C, C) training-label P(j | i).
        """
        if self.cooccurrence is None:
            raise TypeError('MLICHead without a co-occurrence part predicts '
                            'no graph to diagnose')
        self._diagnostics_on = True
        self._diagnostics_conditional = conditional

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

    def forward_features(
            self,
            feats: Tuple[torch.Tensor],
            targets: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Run the head and keep the intermediate tensors.

        Args:
            feats (tuple[Tensor]): Backbone outputs.
            targets (Tensor, optional): (B, C) in {0, 1}. Given (and the
                contrastive loss on), the positive and negative graph views
                of docs/method.md §2.2 are computed too, sharing the graph
                encoder's first-step projections with the anchor pass.

        Returns:
            dict: ``label_feats`` F (B, C, D), ``adjacency`` A (B, C, C),
            ``graph_feats`` H^T (B, C, D) and ``logits`` (B, C); without a
            graph encoder only ``label_feats`` and ``logits``; with
            ``targets``, also ``positive`` H+ and ``negative`` H-
            (B, C, D), without gradient. With a graph encoder that has
            ``forward_with_views`` (``GatedGraphEncoder``), H+ and H- are
            computed at each image's present labels only, the rows the
            contrastive loss reads: then they are (B, K, D) at the slots
            ``slots = (rows, valid)`` of :func:`present_label_slots`
            (zero at invalid slots), and the loss takes them as they are;
            :meth:`contrastive_views` gives them at every label.
        """
        tokens = self.pre_logits(feats)
        label_feats = self.transformer(tokens)
        if self.graph_encoder is None:
            return dict(
                label_feats=label_feats, logits=self.classifier(label_feats))
        adjacency = self.cooccurrence(label_feats, tokens.mean(dim=1))
        out = dict(label_feats=label_feats, adjacency=adjacency)
        if targets is not None and self.contrastive_loss is not None:
            views = self.view_adjacencies(adjacency, targets)
            if self.contrastive_graph_grad and hasattr(self.graph_encoder,
                                                       'forward_with_views'):
                # The contrastive loss reads the views at present labels
                # only: compute those rows, put zeros in the others. In
                # the positive view present labels exchange messages only
                # among themselves (A masked by y y^T), so it is closed.
                rows, valid = present_label_slots(targets)
                graph_feats, views = self.graph_encoder.forward_with_views(
                    label_feats,
                    adjacency,
                    views,
                    rows=rows,
                    closed=(True, False))
                # kept at the slots, (B, K, D): the loss reads them there
                keep = valid.unsqueeze(-1).to(views[0].dtype)
                out['positive'], out['negative'] = (
                    view * keep for view in views)
                out['slots'] = (rows, valid)
            else:  # forward(F, A) only, or the stop-gradient variant
                graph_feats = self.graph_encoder(label_feats, adjacency)
                if not self.contrastive_graph_grad:
                    # The contrastive term trains F and the graph encoder
                    # through its own anchor on a detached A, so it cannot
                    # lower itself by moving the graph; A learns from the
                    # classification loss alone.
                    out['contrastive_anchor'] = self.graph_encoder(
                        label_feats, adjacency.detach())
                with torch.no_grad():
                    out['positive'], out['negative'] = (
                        self.graph_encoder(label_feats, view)
                        for view in views)
        else:
            graph_feats = self.graph_encoder(label_feats, adjacency)
        out['graph_feats'] = graph_feats
        out['logits'] = self.classifier(
            torch.cat([label_feats, graph_feats], -1))
        return out

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Returns the logits, (B, C)."""
        return self.forward_features(feats)['logits']

    def label_graph(self,
                    feats: Tuple[torch.Tensor]) -> Optional[torch.Tensor]:
        """The co-occurrence graph A predicted for these images, (B, C, C)
        (row i: how much label i draws on each label j); None without a
        graph network (the no-GNN ablation)."""
        if self.graph_encoder is None or self.cooccurrence is None:
            return None
        return self.forward_features(feats)['adjacency']

    @staticmethod
    def view_adjacencies(
            adjacency: torch.Tensor,
            targets: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """The graphs of the positive and negative views: A masked to the
        pairs of labels both present, and A masked to the other pairs.

        With unknown labels (targets -1) only known labels take part: the
        positive view keeps pairs of known positives; the negative view
        drops every pair with an unknown label, which may be present or
        absent (docs/partial_labels.md).

        Args:
            adjacency (Tensor): A, (B, C, C).
            targets (Tensor): (B, C), 1 positive, 0 negative, -1 unknown.

        Returns:
            tuple[Tensor]: A ⊙ M and A ⊙ (1 - M) ⊙ K, M = y yᵀ over the
            positives y, K = k kᵀ over the known labels k; each (B, C, C),
            without gradient.
        """
        with torch.no_grad():
            present = (targets > 0.5).to(adjacency.dtype)
            both_present = present.unsqueeze(2) * present.unsqueeze(1)
            negative = adjacency * (1 - both_present)
            known = targets >= 0
            if not bool(known.all()):
                known = known.to(adjacency.dtype)
                negative = negative * (known.unsqueeze(2) * known.unsqueeze(1))
            return adjacency * both_present, negative

    def contrastive_views(
            self, label_feats: torch.Tensor, adjacency: torch.Tensor,
            targets: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Positive and negative graph views (docs/method.md §2.2), no
        gradient.

        Args:
            label_feats (Tensor): F, (B, C, D).
            adjacency (Tensor): A, (B, C, C).
            targets (Tensor): (B, C) in {0, 1}.

        Returns:
            tuple[Tensor]: H+ and H-, each (B, C, D).
        """
        with torch.no_grad():
            return tuple(
                self.graph_encoder(label_feats, view)
                for view in self.view_adjacencies(adjacency, targets))

    def loss(self,
             feats: Tuple[torch.Tensor],
             data_samples: List[DataSample],
             targets: Optional[torch.Tensor] = None,
             **kwargs) -> dict:
        """Classification loss and, when enabled, the contrastive loss.

        Returns:
            dict: ``loss`` (classification) and ``loss_contrastive``; with
            graph diagnostics on, also the ``graph/...`` entries of
            :func:`graph_diagnostics` (logged, not optimised).
        """
        if targets is None:  # else made by the classifier already
            targets = multilabel_targets(data_samples, self.num_classes,
                                         feats[-1].device)
        self.check_unknown_labels(targets)
        out = self.forward_features(feats, targets)
        logits = out['logits']
        kwargs.update(
            sample_index_kwargs(self.loss_module, data_samples, logits.device))
        losses = dict(
            loss=self.loss_module(
                logits, targets, avg_factor=logits.size(0), **kwargs))
        if self.contrastive_loss is not None:
            losses['loss_contrastive'] = self.contrastive_loss(
                out.get('contrastive_anchor', out['graph_feats']),
                out['positive'],
                out['negative'],
                targets,
                slots=out.get('slots'))
        if self._diagnostics_on:
            contrastive = None
            if self.contrastive_loss is not None and \
                    self.contrastive_loss.loss_weight:
                contrastive = losses['loss_contrastive'] / \
                    self.contrastive_loss.loss_weight
            losses.update(
                graph_diagnostics(out['adjacency'], targets,
                                  self._diagnostics_conditional, contrastive))
        return losses
