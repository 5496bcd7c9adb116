import math

import pytest
import torch
import torch.nn as nn

from mlic.models import (CooccurrencePredictor, ElementwiseLinear,
                         GatedGraphEncoder, LabelQueryTransformer)
from mlic.models.layers.sine_position_encoding import sine_position_encoding


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


def test_gated_graph_encoder_without_edges_keeps_shape_and_grad():
    enc = GatedGraphEncoder(4, num_steps=1)
    feats = torch.randn(3, 2, 4, requires_grad=True)
    out = enc(feats, torch.zeros(3, 2, 2))
    assert out.shape == (3, 2, 4)
    out.sum().backward()
    assert feats.grad is not None
    assert all(p.grad is not None for p in enc.parameters())


def test_elementwise_linear_scores_each_label_with_its_own_row():
    layer = ElementwiseLinear(num_classes=3, in_channels=4)
    bound = 1 / 2  # 1 / sqrt(4)
    assert layer.weight.abs().max() <= bound
    assert layer.bias.abs().max() <= bound
    x = torch.randn(5, 3, 4)
    expected = torch.stack(
        [x[:, c] @ layer.weight[c] + layer.bias[c] for c in range(3)], dim=1)
    torch.testing.assert_close(layer(x), expected)


def test_cooccurrence_predictor_rows():
    pred = CooccurrencePredictor(num_classes=3, embed_dims=4)
    feats, glob = torch.randn(2, 3, 4), torch.randn(2, 4)
    adj = pred(feats, glob)
    assert adj.shape == (2, 3, 3)
    row = torch.sigmoid(pred.fc(torch.cat([feats[1, 2], glob[1]])))
    torch.testing.assert_close(adj[1, 2], row)


def test_label_query_transformer_is_nn_transformer_with_label_targets():
    torch.manual_seed(0)
    model = LabelQueryTransformer(
        num_classes=4, embed_dims=16, num_heads=8, ffn_dim=32).eval()
    # Same weights in the default (sequence, batch, channels) layout.
    seq_first = nn.Transformer(
        d_model=16,
        nhead=8,
        num_encoder_layers=2,
        num_decoder_layers=1,
        dim_feedforward=32).eval()
    seq_first.load_state_dict(model.transformer.state_dict())
    tokens = torch.randn(3, 9, 16)
    queries = model.label_embed.weight.unsqueeze(1).repeat(1, 3, 1)
    expected = seq_first(tokens.transpose(0, 1), queries).transpose(0, 1)
    torch.testing.assert_close(model(tokens), expected)
    assert len(model.transformer.encoder.layers) == 2
    assert len(model.transformer.decoder.layers) == 1


def test_sine_position_encoding_matches_the_formula():
    H, W, dims, temperature = 3, 4, 8, 10000.0
    enc = sine_position_encoding(H, W, dims, temperature)
    assert enc.shape == (H * W, dims)
    quarter = dims // 4
    for y in range(H):
        for x in range(W):
            row = enc[y * W + x]  # row-major, like a flattened (H, W) map
            for k in range(quarter):
                freq = temperature**(k / quarter)
                ay = (y + 0.5) / H * 2 * math.pi / freq
                ax = (x + 0.5) / W * 2 * math.pi / freq
                expected = [
                    math.sin(ay),
                    math.cos(ay),
                    math.sin(ax),
                    math.cos(ax),
                ]
                got = [
                    row[k], row[quarter + k], row[2 * quarter + k],
                    row[3 * quarter + k]
                ]
                assert torch.allclose(
                    torch.stack(got), torch.tensor(expected), atol=1e-6)
    assert len({tuple(r.tolist()) for r in enc}) == H * W  # all distinct
    with pytest.raises(ValueError, match='divisible by 4, got 6'):
        sine_position_encoding(2, 2, 6)
