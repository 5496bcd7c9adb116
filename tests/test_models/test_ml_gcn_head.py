"""MLGCNHead: needs its graph; builds it as ML-GCN does."""
import pytest
import torch

from mlic.models.heads import mlgcn_adjacency
from mlic.registry import MODELS
from .helpers import samples

BACKBONE = dict(type='ResNet', depth=18, base_channels=8, out_indices=(3, ))


def test_mlgcn_needs_its_graph_and_builds_it_like_ml_gcn():
    model = MODELS.build(
        dict(
            type='MLICClassifier',
            backbone=BACKBONE,
            head=dict(
                type='MLGCNHead', num_classes=3, embed_dims=8, hidden_dims=8)))
    with pytest.raises(RuntimeError, match='LabelCooccurrenceHook'):
        model(torch.randn(1, 3, 64, 64), samples([[0]]), mode='loss')
    cooc = torch.tensor([[10., 5, 1], [5, 5, 0], [1, 0, 4]])
    adj = mlgcn_adjacency(cooc, cooc.diag())
    # P(1|0)=0.5 >= 0.4 and P(0|1)=1: an edge each way; label 2 alone.
    assert adj[0, 1] > 0 and adj[1, 0] > 0
    assert adj[2, 0] == 0 and adj[0, 2] == 0
    assert torch.allclose(adj, adj.t())
