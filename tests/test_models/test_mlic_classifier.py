import copy

import pytest
import torch
from mmpretrain.structures import DataSample

from mlic.registry import MODELS


def small_cfg(**head):
    head_cfg = dict(
        type='MLICHead',
        num_classes=5,
        transformer=dict(type='LabelQueryTransformer', ffn_dim=64),
        graph_encoder=dict(type='GatedGraphEncoder', num_steps=2),
        loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0),
        contrastive_loss=dict(type='CooccurrenceContrastiveLoss', tau=1.0))
    head_cfg.update(head)
    return dict(
        type='MLICClassifier',
        data_preprocessor=dict(
            type='ClsDataPreprocessor', num_classes=5, to_onehot=True),
        backbone=dict(
            type='ResNet', depth=18, base_channels=8, out_indices=(3, )),
        head=head_cfg)


def samples(labels):
    return [DataSample().set_gt_label(lab) for lab in labels]


def test_width_comes_from_backbone():
    model = MODELS.build(small_cfg())
    assert model.head.in_channels == 64  # 8 * base_channels
    r18 = MODELS.build(
        dict(
            type='MLICClassifier',
            backbone=dict(type='ResNet', depth=18),
            head=dict(
                type='MLICHead',
                num_classes=3,
                transformer=dict(type='LabelQueryTransformer', ffn_dim=16))))
    assert r18.head.in_channels == 512


def test_conflicting_width_fails_with_both_numbers():
    with pytest.raises(ValueError, match='in_channels=2048.*width 64'):
        MODELS.build(small_cfg(in_channels=2048))


def test_modes_tensor_loss_predict():
    torch.manual_seed(0)
    model = MODELS.build(small_cfg())
    x = torch.randn(3, 3, 64, 64)
    logits = model(x, mode='tensor')
    assert logits.shape == (3, 5)

    losses = model(x, samples([[0, 2], [], [4]]), mode='loss')
    assert set(losses) == {'loss', 'loss_contrastive'}
    total = losses['loss'] + losses['loss_contrastive']
    total.backward()
    no_grad = [n for n, p in model.named_parameters() if p.grad is None]
    assert no_grad == []

    model.eval()
    preds = model(x, mode='predict')
    assert len(preds) == 3
    scores = torch.stack([p.pred_score for p in preds])
    torch.testing.assert_close(scores, torch.sigmoid(model(x, mode='tensor')))


def test_lambda_zero_turns_contrastive_off():
    model = MODELS.build(
        small_cfg(
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
        small_cfg(
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
    model = MODELS.build(small_cfg())
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


def test_non_finite_loss_names_term_and_iteration():
    from mmengine.logging import MessageHub
    model = MODELS.build(small_cfg())
    MessageHub.get_current_instance().update_info('iter', 41)
    with pytest.raises(
            FloatingPointError, match='iteration 42: loss_contrastive=nan'):
        model.parse_losses(
            dict(
                loss=torch.tensor(1.0),
                loss_contrastive=torch.tensor(float('nan'))))
    parsed, log_vars = model.parse_losses(
        dict(loss=torch.tensor(1.0), loss_contrastive=torch.tensor(2.0)))
    assert parsed.item() == 3.0


def test_unknown_type_names_type_and_registry():
    cfg = copy.deepcopy(small_cfg())
    cfg['head']['type'] = 'NoSuchHead'
    with pytest.raises(KeyError, match='NoSuchHead.*mlic::model'):
        MODELS.build(cfg)
