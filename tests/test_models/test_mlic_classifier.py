"""MLICClassifier: width from the backbone, modes, non-finite losses."""
import pytest
import torch

from mlic.registry import MODELS
from .helpers import samples, small_mlic_cfg


def test_width_comes_from_backbone():
    model = MODELS.build(small_mlic_cfg())
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
        MODELS.build(small_mlic_cfg(in_channels=2048))


def test_modes_tensor_loss_predict():
    torch.manual_seed(0)
    model = MODELS.build(small_mlic_cfg())
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


def test_non_finite_loss_names_term_and_iteration():
    from mmengine.logging import MessageHub
    model = MODELS.build(small_mlic_cfg())
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


def test_log_shows_the_sum_and_each_term():
    """With a second loss term the logged `loss` is the sum that is
    optimised and the head's classification term is `loss_cls`; mmengine
    alone would log the classification term as `loss` and drop the sum."""
    model = MODELS.build(small_mlic_cfg())
    parsed, log_vars = model.parse_losses(
        dict(loss=torch.tensor(1.0), loss_contrastive=torch.tensor(2.0)))
    assert parsed.item() == 3.0
    assert list(log_vars) == ['loss', 'loss_cls', 'loss_contrastive']
    assert [v.item() for v in log_vars.values()] == [3.0, 1.0, 2.0]
    # a single term keeps mmpretrain's one key
    parsed, log_vars = model.parse_losses(dict(loss=torch.tensor(1.5)))
    assert parsed.item() == 1.5 and list(log_vars) == ['loss']
    assert log_vars['loss'].item() == 1.5
