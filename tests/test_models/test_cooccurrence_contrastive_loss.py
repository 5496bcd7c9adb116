"""CooccurrenceContrastiveLoss against a per-image loop; edge cases."""
import pytest
import torch
import torch.nn.functional as F

from mlic.models import CooccurrenceContrastiveLoss
from mlic.registry import MODELS


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


def test_contrastive_at_slots_rejects_views_of_other_rows():
    from mlic.models.utils import present_label_slots
    targets = torch.tensor([[1.0, 0, 1], [0, 1, 0]])
    slots = present_label_slots(targets)  # K = 2
    with pytest.raises(ValueError, match=r'expected \(2, 2, 4\)'):
        CooccurrenceContrastiveLoss()(
            torch.randn(2, 3, 4),
            torch.randn(2, 3, 4),
            torch.randn(2, 3, 4),
            targets,
            slots=slots)


def test_contrastive_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r'\(B, C, D\) like the anchor'):
        CooccurrenceContrastiveLoss()(torch.randn(2, 3,
                                                  4), torch.randn(2, 3, 5),
                                      torch.randn(2, 3, 4), torch.ones(2, 3))
    with pytest.raises(ValueError, match='targets'):
        CooccurrenceContrastiveLoss()(torch.randn(2, 3,
                                                  4), torch.randn(2, 3, 4),
                                      torch.randn(2, 3, 4), torch.ones(2, 4))
