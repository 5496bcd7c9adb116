"""LabelQueryTransformer is nn.Transformer with label queries as targets."""
import torch
import torch.nn as nn

from mlic.models import LabelQueryTransformer


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
