"""MLICHead: the method's forward, the contrastive views, λ = 0."""
import torch

from mlic.registry import MODELS
from .helpers import samples, small_mlic_cfg


def test_lambda_zero_turns_contrastive_off():
    model = MODELS.build(
        small_mlic_cfg(
            contrastive_loss=dict(
                type='CooccurrenceContrastiveLoss', loss_weight=0.0)))
    assert model.head.contrastive_loss is None
    losses = model(
        torch.randn(2, 3, 64, 64), samples([[1], [2, 3]]), mode='loss')
    assert set(losses) == {'loss'}


def test_head_matches_method_forward():
    """The head's logits equal docs/method.md §1 written out step by step."""
    torch.manual_seed(3)
    model = MODELS.build(
        small_mlic_cfg(
            transformer=dict(
                type='LabelQueryTransformer', ffn_dim=64, dropout=0.0),
            graph_encoder=dict(type='GatedGraphEncoder', num_steps=1))).eval()
    head = model.head
    x = torch.randn(2, 3, 64, 64)
    fmap = model.backbone(x)[-1]
    tokens = fmap.flatten(2).transpose(1, 2)
    g = tokens.mean(1)
    F_ = head.transformer(tokens)
    A = torch.sigmoid(
        torch.cat([F_, g[:, None].expand_as(F_)], -1)
        @ head.cooccurrence.fc.weight.t() + head.cooccurrence.fc.bias)
    H = head.graph_encoder(F_, A)
    z = torch.cat([F_, H], -1)
    logits = (z * head.classifier.weight).sum(-1) + head.classifier.bias
    torch.testing.assert_close(model(x, mode='tensor'), logits)


def test_contrastive_views_use_masked_graphs_without_grad():
    model = MODELS.build(small_mlic_cfg())
    head = model.head
    F_ = torch.randn(2, 5, 64, requires_grad=True)
    A = torch.rand(2, 5, 5, requires_grad=True)
    y = torch.tensor([[1., 0, 1, 0, 0], [0, 0, 0, 0, 1]])
    pos, neg = head.contrastive_views(F_, A, y)
    assert not pos.requires_grad and not neg.requires_grad
    M = y[:, :, None] * y[:, None, :]
    torch.testing.assert_close(pos, head.graph_encoder(F_, A * M).detach())
    torch.testing.assert_close(neg,
                               head.graph_encoder(F_, A * (1 - M)).detach())
