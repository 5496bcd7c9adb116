"""ReferenceAsymmetricLoss against its formula and gradient."""
import pytest
import torch
import torch.nn.functional as F

from mlic.models import ReferenceAsymmetricLoss, reference_asymmetric_loss


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
