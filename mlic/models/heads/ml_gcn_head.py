from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
from mmpretrain.structures import DataSample

from mlic.registry import MODELS
from .base_multilabel_head import CLASS_ACTIVATION, BaseMultiLabelHead


def mlgcn_adjacency(cooccurrence: torch.Tensor,
                    label_counts: torch.Tensor,
                    threshold: float = 0.4,
                    reweight: float = 0.25) -> torch.Tensor:
    """ML-GCN's normalised label graph from training-label statistics.

    Conditional probabilities P(j | i) = n_ij / n_i are binarised at
    ``threshold``; each column keeps ``reweight`` of its mass for the
    neighbours (the rest stays on the node), self loops are added, and the
    result is symmetrically normalised, D^-1/2 A^T D^-1/2 as in ML-GCN's
    ``gen_adj``.

    Args:
        cooccurrence (Tensor): (C, C) counts of images with both labels.
        label_counts (Tensor): (C,) images with each label, or (C, C)
            images with label i whose label j is known (partial labels:
            P(j | i) over known labels only).

    Returns:
        Tensor: (C, C) adjacency.
    """
    counts = label_counts.clamp(min=1).to(torch.float64)
    if counts.dim() == 1:
        counts = counts.unsqueeze(1)
    cond = cooccurrence.to(torch.float64) / counts
    cond.fill_diagonal_(0)
    binary = (cond >= threshold).to(torch.float64)
    adj = binary * reweight / (binary.sum(0, keepdim=True) + 1e-6)
    adj = adj + torch.eye(len(adj), dtype=adj.dtype, device=adj.device)
    degree = adj.sum(1).pow(-0.5)
    return (degree[:, None] * adj.t() * degree[None, :]).float()


@MODELS.register_module()
class MLGCNHead(BaseMultiLabelHead):
    """An ML-GCN-style head (Chen et al., "Multi-Label Image Recognition
    with Graph Convolutional Networks", CVPR 2019).

    Two graph convolutions over label embeddings (C, E) on a label graph
    estimated from the training labels give one classifier vector per label
    (C, D); the logits are the image's globally pooled feature (B, D) times
    those vectors. Label embeddings come from ``label_embedding_file``
    (``.npy``, (C, E), e.g. GloVe vectors of the label names) or are learned
    when none is given. The graph (a buffer, saved with the checkpoint) is
    set by :class:`LabelCooccurrenceHook` before training, or loaded from
    ``cooccurrence_file`` (``.npz`` with ``cooccurrence`` and
    ``label_counts``).

    Args:
        num_classes (int): C.
        in_channels (int, optional): D (filled by ``MLICClassifier``).
        embed_dims (int): E of learned embeddings. Defaults to 300.
        hidden_dims (int): Width of the first graph layer. Defaults to 1024.
        label_embedding_file (str, optional): ``.npy`` of shape (C, E).
        cooccurrence_file (str, optional): ``.npz`` label statistics.
        threshold (float): Binarisation threshold t. Defaults to 0.4.
        reweight (float): Neighbour mass p. Defaults to 0.25.
        loss (dict): Classification loss.
    """

    #: ``label_graph`` is one fixed adjacency for every image (the visual
    #: tools call it "fixed" and draw it once).
    label_graph_per_image = False

    def __init__(self,
                 num_classes: int,
                 in_channels: Optional[int] = None,
                 embed_dims: int = 300,
                 hidden_dims: int = 1024,
                 label_embedding_file: Optional[str] = None,
                 cooccurrence_file: Optional[str] = None,
                 threshold: float = 0.4,
                 reweight: float = 0.25,
                 loss: dict = dict(
                     type='ReferenceAsymmetricLoss', gamma_neg=2.0),
                 thr: Optional[float] = 0.5,
                 topk: Optional[int] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(num_classes, in_channels, loss, thr, topk, init_cfg)
        self.threshold = threshold
        self.reweight = reweight
        if label_embedding_file is not None:
            vectors = np.load(label_embedding_file, allow_pickle=False)
            if vectors.ndim != 2 or vectors.shape[0] != num_classes:
                raise ValueError(
                    f'{label_embedding_file} has shape {vectors.shape}, '
                    f'expected ({num_classes}, E)')
            self.register_buffer('label_embed',
                                 torch.from_numpy(vectors).float())
        else:
            self.label_embed = nn.Parameter(
                torch.randn(num_classes, embed_dims))
        in_dims = self.label_embed.shape[1]
        self.gc1 = nn.Linear(in_dims, hidden_dims, bias=False)
        self.gc2 = nn.Linear(hidden_dims, in_channels, bias=False)
        self.act = nn.LeakyReLU(0.2)
        self.register_buffer('adjacency', torch.eye(num_classes))
        self.register_buffer('adjacency_ready', torch.tensor(False))
        if cooccurrence_file is not None:
            stats = np.load(cooccurrence_file, allow_pickle=False)
            self.set_label_statistics(
                torch.from_numpy(stats['cooccurrence']),
                torch.from_numpy(stats['label_counts']))

    def set_label_statistics(self, cooccurrence: torch.Tensor,
                             label_counts: torch.Tensor) -> None:
        """Set the graph from (C, C) co-occurrence and (C,) label counts."""
        if cooccurrence.shape != (self.num_classes, self.num_classes):
            raise ValueError(f'cooccurrence has shape '
                             f'{tuple(cooccurrence.shape)}, expected '
                             f'({self.num_classes}, {self.num_classes})')
        self.adjacency.copy_(
            mlgcn_adjacency(cooccurrence, label_counts, self.threshold,
                            self.reweight))
        self.adjacency_ready.fill_(True)

    def label_classifiers(self) -> torch.Tensor:
        """Per-label classifier vectors, (C, D)."""
        hidden = self.act(self.adjacency @ self.gc1(self.label_embed))
        return self.adjacency @ self.gc2(hidden)

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Logits, (B, C)."""
        x = feats[-1]
        pooled = x.flatten(2).mean(-1) if x.dim() == 4 else x  # (B, D)
        return pooled @ self.label_classifiers().t()

    def label_graph(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """The fixed adjacency the head propagates over, repeated for each
        image of the batch, (B, C, C)."""
        return self.adjacency.expand(feats[-1].size(0), -1, -1)

    def label_maps(self, feats: Tuple[torch.Tensor]) -> dict:
        """Class activation maps (B, C, H', W') on the grid of
        ``feats[-1]``: each label's classifier vector applied at every
        position. The logits are their spatial mean, exactly (the head
        averages before its bias-free classifier), so the maps are the
        logits' contributions (Zhou et al., CVPR 2016)."""
        fmap = feats[-1]
        maps = torch.einsum('cd,bdhw->bchw', self.label_classifiers(), fmap)
        return dict(
            logits=maps.flatten(2).mean(-1), maps=maps, kind=CLASS_ACTIVATION)

    def loss(self, feats, data_samples: List[DataSample], **kwargs) -> dict:
        if not bool(self.adjacency_ready):
            raise RuntimeError(
                'MLGCNHead has no label graph: add '
                "dict(type='LabelCooccurrenceHook') to custom_hooks, or "
                'pass cooccurrence_file')
        return super().loss(feats, data_samples, **kwargs)
