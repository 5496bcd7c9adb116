"""GatedGraphEncoder follows the gated update rule."""
import torch

from mlic.models import GatedGraphEncoder


def test_gated_graph_encoder_follows_the_update_rule():
    torch.manual_seed(0)
    B, C, D, T = 2, 5, 6, 3
    enc = GatedGraphEncoder(D, num_steps=T)
    feats = torch.randn(B, C, D)
    adj = torch.rand(B, C, C)

    h = feats
    for _ in range(T):
        outs = []
        for b in range(B):
            m = adj[b] @ h[b]
            z = torch.sigmoid(m @ enc.update_msg.weight.t() +
                              h[b] @ enc.update_state.weight.t())
            r = torch.sigmoid(m @ enc.reset_msg.weight.t() +
                              h[b] @ enc.reset_state.weight.t())
            cand = torch.tanh(m @ enc.candidate_msg.weight.t() +
                              (r * h[b]) @ enc.candidate_state.weight.t())
            outs.append((1 - z) * h[b] + z * cand)
        h = torch.stack(outs)
    torch.testing.assert_close(enc(feats, adj), h)


def test_gated_graph_encoder_without_edges_updates_from_the_state_alone():
    torch.manual_seed(0)
    enc = GatedGraphEncoder(4, num_steps=1)
    feats = torch.randn(3, 2, 4, requires_grad=True)
    out = enc(feats, torch.zeros(3, 2, 2))
    # No edge, no message: the gates see only the node's own state.
    h = feats.detach()
    z = torch.sigmoid(h @ enc.update_state.weight.t())
    r = torch.sigmoid(h @ enc.reset_state.weight.t())
    cand = torch.tanh((r * h) @ enc.candidate_state.weight.t())
    torch.testing.assert_close(out, (1 - z) * h + z * cand)
    out.sum().backward()
    assert feats.grad.abs().sum() > 0
    # the message weights get no gradient from a graph without edges
    for name, p in enc.named_parameters():
        assert p.grad is not None, name
        assert (p.grad.abs().sum() > 0) == ('state' in name), name
