"""Every head is a drop-in replacement in MLICClassifier (BaseMultiLabelHead
interface): losses, backward and scores."""
import pytest
import torch

from mlic.registry import MODELS
from .helpers import samples

BACKBONE = dict(type='ResNet', depth=18, base_channels=8, out_indices=(3, ))


@pytest.mark.parametrize('head', [
    dict(type='Query2LabelHead', num_heads=4, ffn_dim=32),
    dict(type='MLGCNHead', embed_dims=16, hidden_dims=32),
    dict(
        type='CSRAHead',
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
