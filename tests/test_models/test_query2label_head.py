"""Query2LabelHead: tokens plus the sine encoding through the label-query
transformer, one linear row per label; a flat input is named."""
import pytest
import torch

from mlic.models.utils import sine_position_encoding
from mlic.registry import MODELS


def head(**kwargs):
    torch.manual_seed(0)
    return MODELS.build(
        dict(
            type='Query2LabelHead',
            num_classes=3,
            in_channels=8,
            embed_dims=16,
            num_heads=4,
            ffn_dim=32,
            dropout=0.0,
            **kwargs)).eval()


def test_logits_are_the_classifier_on_transformer_features():
    q2l = head()
    x = torch.randn(2, 8, 3, 4)
    tokens = q2l.input_proj(x.flatten(2).transpose(1, 2))
    tokens = tokens + sine_position_encoding(3, 4, 16)
    features = q2l.transformer(tokens)  # (B, C, E)
    expected = (features * q2l.classifier.weight).sum(-1) + \
        q2l.classifier.bias
    with torch.no_grad():
        torch.testing.assert_close(q2l((x, )), expected)
    assert q2l((x, )).shape == (2, 3)


def test_position_encoding_can_be_left_out_and_changes_the_scores():
    x = torch.randn(1, 8, 2, 2)
    with torch.no_grad():
        with_pe, without_pe = head()((x, )), head(position_encoding=False)(
            (x, ))
    assert not torch.allclose(with_pe, without_pe)


def test_a_vector_input_is_refused_with_its_shape():
    with pytest.raises(
            ValueError, match=r'needs a \(B, D, H, W\) map, got '
            r'\(2, 8\)'):
        head()((torch.randn(2, 8), ))
