import pytest
import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample

from mlic.models import multilabel_supcon_loss
from mlic.models.heads import mlgcn_adjacency
from mlic.registry import MODELS

BACKBONE = dict(type='ResNet', depth=18, base_channels=8, out_indices=(3, ))


def samples(labels):
    return [DataSample().set_gt_label(lab) for lab in labels]


@pytest.mark.parametrize('head', [
    dict(type='Query2LabelHead', num_heads=4, ffn_dim=32),
    dict(type='MLGCNHead', embed_dims=16, hidden_dims=32),
    dict(
        type='CSRAClsHead',
        num_heads=1,
        lam=0.1,
        loss=dict(type='ReferenceAsymmetricLoss')),
    dict(
        type='MLICHead',
        transformer=dict(
            type='LabelQueryTransformer', num_heads=4, ffn_dim=32)),
])
def test_heads_are_drop_in_replacements(head):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='MLICClassifier',
            backbone=BACKBONE,
            head=dict(head, num_classes=5),
            embedding_loss=dict(type='MultiLabelSupConLoss')))
    if head['type'] == 'MLGCNHead':
        cooc = torch.tensor([[5., 4, 0, 0, 0], [4, 6, 0, 0,
                                                0], [0, 0, 3, 0, 0],
                             [0, 0, 0, 2, 2], [0, 0, 0, 2, 2]])
        model.head.set_label_statistics(cooc, cooc.diag())
    x = torch.randn(3, 3, 64, 64)
    losses = model(x, samples([[0, 1], [1], [3, 4]]), mode='loss')
    assert 'loss_embedding' in losses
    sum(losses.values()).backward()
    assert model(x, mode='tensor').shape == (3, 5)


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


def plain_supcon(z, y, tau):
    z = F.normalize(z, dim=1)
    total, n = 0.0, 0
    for i in range(len(z)):
        w = torch.stack([
            (y[i] * y[j]).sum() /
            y[i].sum().clamp(min=1) if j != i else torch.tensor(0.)
            for j in range(len(z))
        ])
        if w.sum() == 0:
            continue
        logits = torch.stack(
            [z[i] @ z[j] / tau for j in range(len(z)) if j != i])
        log_prob = logits - torch.logsumexp(logits, 0)
        w_others = torch.cat([w[:i], w[i + 1:]])
        total = total - (w_others * log_prob).sum() / w.sum()
        n += 1
    return total / n


def test_supcon_loss_matches_a_plain_loop():
    torch.manual_seed(0)
    z = torch.randn(6, 8)
    y = torch.tensor([[1., 1, 0], [1, 0, 0], [0, 0, 1], [0, 0, 1], [0, 0, 0],
                      [1, 1, 1]])
    torch.testing.assert_close(
        multilabel_supcon_loss(z, y, 0.2), plain_supcon(z, y, 0.2))
    alone = multilabel_supcon_loss(z[:2], torch.tensor([[1., 0], [0, 1]]))
    assert alone.item() == 0.0
