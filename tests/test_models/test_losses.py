import pytest
import torch
import torch.nn.functional as F

from mlic.models import (CooccurrenceContrastiveLoss, ReferenceAsymmetricLoss,
                         reference_asymmetric_loss)
from mlic.registry import MODELS


def plain_asl(logits, targets, gamma_neg, gamma_pos, eps=1e-5):
    """docs/method.md §2.1 written element by element."""
    B, C = logits.shape
    total = 0.0
    for b in range(B):
        for c in range(C):
            p = torch.sigmoid(logits[b, c])
            y = targets[b, c]
            ll = y * torch.log(torch.clamp(p, min=eps)) + (1 - y) * torch.log(
                torch.clamp(1 - p, min=eps))
            pt = p * y + (1 - p) * (1 - y)
            w = (1 - pt.detach())**(gamma_pos * y + gamma_neg * (1 - y))
            total = total + ll * w
    return -total / (B * C) * 1000


@pytest.mark.parametrize('gamma_neg', [0.0, 1.0, 2.0])
def test_asl_matches_formula_and_gradient(gamma_neg):
    torch.manual_seed(0)
    logits = (torch.randn(4, 6) * 3).requires_grad_()
    targets = (torch.rand(4, 6) > 0.5).float()
    loss = ReferenceAsymmetricLoss(gamma_neg=gamma_neg)(logits, targets)
    (grad, ) = torch.autograd.grad(loss, logits)

    logits2 = logits.detach().clone().requires_grad_()
    expected = plain_asl(logits2, targets, gamma_neg, 0.0)
    (grad2, ) = torch.autograd.grad(expected, logits2)
    torch.testing.assert_close(loss, expected)
    torch.testing.assert_close(grad, grad2)


def test_asl_without_focusing_is_bce_times_1000():
    torch.manual_seed(1)
    logits = torch.randn(8, 5)
    targets = (torch.rand(8, 5) > 0.3).float()
    loss = ReferenceAsymmetricLoss(gamma_neg=0.0)(logits, targets)
    bce = F.binary_cross_entropy_with_logits(logits, targets) * 1000
    torch.testing.assert_close(loss, bce)


def test_asl_eps_floor_keeps_loss_finite():
    logits = torch.tensor([[100.0, -100.0]])
    targets = torch.tensor([[0.0, 1.0]])
    value = reference_asymmetric_loss(logits, targets, gamma_neg=0.0)
    # Both terms are log(1e-5), the floor, averaged over 2 labels.
    torch.testing.assert_close(value, -torch.log(torch.tensor(1e-5)))


def per_image_contrastive(anchor, positive, negative, targets, tau):
    """docs/method.md §2.2 as a plain loop over images (the reference's way),
    with the no-label defect fixed (such an image adds 0)."""
    total = anchor.new_zeros(())
    for b in range(anchor.size(0)):
        present = targets[b] > 0
        a = anchor[b][present]
        if a.size(0) == 0:
            continue
        p = positive[b][present].detach()
        n = negative[b][present].detach()
        s_pos = (a * p).sum(-1, keepdim=True) / tau
        s_neg = (a * n).sum(-1, keepdim=True) / tau
        pair = a @ a.t() / tau
        k = a.size(0)
        off_diag = pair[~torch.eye(k, dtype=torch.bool)].view(k, k - 1)
        logits = torch.cat([s_pos, s_neg, off_diag], dim=1)
        total = total + F.cross_entropy(logits, torch.zeros(
            k, dtype=torch.long))
    return total / anchor.size(0)


@pytest.mark.parametrize('tau', [1.0, 0.5])
def test_contrastive_matches_per_image_loop(tau):
    torch.manual_seed(2)
    B, C, D = 6, 7, 5
    anchor = torch.randn(B, C, D, requires_grad=True)
    positive = torch.randn(B, C, D, requires_grad=True)
    negative = torch.randn(B, C, D, requires_grad=True)
    targets = (torch.rand(B, C) > 0.5).float()
    targets[0] = 0  # no present label
    targets[1] = 0
    targets[1, 3] = 1  # exactly one present label
    targets[2] = 1  # all present

    loss_fn = MODELS.build(dict(type='CooccurrenceContrastiveLoss', tau=tau))
    loss = loss_fn(anchor, positive, negative, targets)
    grad = torch.autograd.grad(loss, anchor)[0]

    anchor2 = anchor.detach().clone().requires_grad_()
    expected = per_image_contrastive(anchor2, positive, negative, targets, tau)
    grad2 = torch.autograd.grad(expected, anchor2)[0]
    torch.testing.assert_close(loss, expected)
    torch.testing.assert_close(grad, grad2)

    # Stop-gradient on both views.
    loss = loss_fn(anchor, positive, negative, targets)
    loss.backward()
    assert positive.grad is None and negative.grad is None


def test_contrastive_is_zero_without_labels_and_never_nan():
    anchor = torch.randn(3, 4, 8, requires_grad=True)
    loss = CooccurrenceContrastiveLoss()(anchor, torch.randn(3, 4, 8),
                                         torch.randn(3, 4, 8),
                                         torch.zeros(3, 4))
    assert loss.item() == 0.0
    loss.backward()
    assert torch.isfinite(anchor.grad).all()


def test_contrastive_single_label_has_two_terms():
    anchor = torch.randn(1, 3, 4)
    positive = torch.randn(1, 3, 4)
    negative = torch.randn(1, 3, 4)
    targets = torch.tensor([[0.0, 1.0, 0.0]])
    s_pos = (anchor[0, 1] * positive[0, 1]).sum()
    s_neg = (anchor[0, 1] * negative[0, 1]).sum()
    expected = -(s_pos - torch.logsumexp(torch.stack([s_pos, s_neg]), 0))
    loss = CooccurrenceContrastiveLoss()(anchor, positive, negative, targets)
    torch.testing.assert_close(loss, expected)


def test_contrastive_rejects_bad_shapes():
    with pytest.raises(ValueError, match='one shape'):
        CooccurrenceContrastiveLoss()(torch.randn(2, 3,
                                                  4), torch.randn(2, 3, 5),
                                      torch.randn(2, 3, 4), torch.ones(2, 3))
    with pytest.raises(ValueError, match='targets'):
        CooccurrenceContrastiveLoss()(torch.randn(2, 3,
                                                  4), torch.randn(2, 3, 4),
                                      torch.randn(2, 3, 4), torch.ones(2, 4))


@pytest.mark.parametrize('cfg,message', [
    (dict(type='ReferenceAsymmetricLoss', gamma_neg=-1.0),
     r'ReferenceAsymmetricLoss: gamma_neg must be a finite number >= 0, '
     r'got -1.0'),
    (dict(type='ReferenceAsymmetricLoss',
          gamma_pos=float('nan')), 'gamma_pos must be a finite number'),
    (dict(type='ReferenceAsymmetricLoss', loss_weight=-1000.0),
     'loss_weight must be a finite number >= 0, got -1000.0'),
    (dict(type='CooccurrenceContrastiveLoss',
          loss_weight=-1.0), 'CooccurrenceContrastiveLoss: loss_weight must'),
    (dict(type='CooccurrenceContrastiveLoss',
          tau=0.0), r'tau must be a finite number > 0, got 0.0'),
    (dict(type='MultiLabelSupConLoss', tau=-0.1), 'MultiLabelSupConLoss: tau'),
])
def test_bad_loss_arguments_are_refused_by_name(cfg, message):
    from mlic.registry import MODELS
    with pytest.raises(ValueError, match=message):
        MODELS.build(cfg)


def test_zero_weights_and_gammas_are_allowed():
    from mlic.registry import MODELS
    MODELS.build(
        dict(type='ReferenceAsymmetricLoss', gamma_neg=0.0, gamma_pos=0.0))
    MODELS.build(dict(type='CooccurrenceContrastiveLoss', loss_weight=0.0))
