"""MultiLabelSupConLoss against a plain loop."""
import torch
import torch.nn.functional as F

from mlic.models import multilabel_supcon_loss


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
