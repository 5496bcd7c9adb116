"""The MLIC head's faster computations give the plain computation's losses
and gradients: the label embedding's self-attention done once for the
batch, the graph encoder's message maps applied before aggregation with
the first step shared by the anchor and the contrastive views, and the
co-occurrence map split into a per-label and a per-image part.

The plain computation is written out here as docs/method.md states it
(``nn.Transformer``'s own forward, m = A H then the six maps, three
separate graph passes, one ``Linear`` on [F, g])."""
import pytest
import torch
import torch.nn as nn

from mlic import register_all_modules
from mlic.models import GatedGraphEncoder, LabelQueryTransformer
from mlic.models.losses import (cooccurrence_contrastive_loss,
                                reference_asymmetric_loss)
from mlic.registry import MODELS


def plain_graph(encoder, feats, adjacency):
    h = feats
    for _ in range(encoder.num_steps):
        m = torch.bmm(adjacency, h)
        z = torch.sigmoid(encoder.update_msg(m) + encoder.update_state(h))
        r = torch.sigmoid(encoder.reset_msg(m) + encoder.reset_state(h))
        cand = torch.tanh(
            encoder.candidate_msg(m) + encoder.candidate_state(r * h))
        h = (1 - z) * h + z * cand
    return h


def plain_head_losses(head, fmap, targets):
    """The head's two losses, computed the plain way."""
    tokens = fmap.flatten(2).transpose(1, 2)
    queries = head.transformer.label_embed.weight.unsqueeze(0).expand(
        tokens.size(0), -1, -1)
    feats = head.transformer.transformer(tokens, queries)
    g = tokens.mean(1)
    adjacency = torch.sigmoid(
        head.cooccurrence.fc(
            torch.cat([feats, g[:, None].expand_as(feats)], -1)))
    graph = plain_graph(head.graph_encoder, feats, adjacency)
    logits = head.classifier(torch.cat([feats, graph], -1))
    both = targets[:, :, None] * targets[:, None, :]
    with torch.no_grad():
        pos = plain_graph(head.graph_encoder, feats, adjacency * both)
        neg = plain_graph(head.graph_encoder, feats, adjacency * (1 - both))
    cls = 1000 * reference_asymmetric_loss(logits, targets, gamma_neg=2.0)
    ctr = cooccurrence_contrastive_loss(graph, pos, neg, targets)
    return cls, ctr


def small_head(num_classes, in_channels, num_steps, **transformer):
    """An MLIC head in training mode, 4 attention heads, dropout off."""
    register_all_modules()
    return MODELS.build(
        dict(
            type='MLICHead',
            num_classes=num_classes,
            in_channels=in_channels,
            transformer=dict(
                type='LabelQueryTransformer',
                num_heads=4,
                dropout=0.0,
                **transformer),
            graph_encoder=dict(type='GatedGraphEncoder',
                               num_steps=num_steps))).train()


@pytest.mark.parametrize('num_steps', [1, 2])
def test_head_losses_and_gradients_equal_the_plain_computation(num_steps):
    torch.manual_seed(0)
    head = small_head(6, 32, num_steps, ffn_dim=48, num_decoder_layers=2)
    fmap = torch.randn(3, 32, 4, 4, requires_grad=True)
    targets = torch.tensor([[1., 0, 1, 1, 0, 0], [0, 0, 0, 0, 0, 1],
                            [0, 0, 0, 0, 0, 0]])

    got = head.forward_features((fmap, ), targets)
    cls = 1000 * reference_asymmetric_loss(got['logits'], targets, 2.0)
    ctr = head.contrastive_loss(
        got['graph_feats'],
        got['positive'],
        got['negative'],
        targets,
        slots=got['slots'])
    params = [fmap] + list(head.parameters())
    fast_grads = torch.autograd.grad(cls + ctr, params)

    plain_cls, plain_ctr = plain_head_losses(head, fmap, targets)
    plain_grads = torch.autograd.grad(plain_cls + plain_ctr, params)

    torch.testing.assert_close(cls, plain_cls, rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(ctr, plain_ctr, rtol=1e-5, atol=1e-4)
    names = ['fmap'] + [n for n, _ in head.named_parameters()]
    for name, fast, plain in zip(names, fast_grads, plain_grads):
        scale = plain.abs().max().clamp(min=1e-6)
        assert (fast - plain).abs().max() / scale < 1e-4, name
    # the views carry no gradient
    assert not got['positive'].requires_grad
    assert not got['negative'].requires_grad


def test_graph_encoder_views_equal_separate_passes():
    torch.manual_seed(1)
    encoder = GatedGraphEncoder(embed_dims=16, num_steps=3)
    feats = torch.randn(2, 5, 16)
    adjacency = torch.rand(2, 5, 5)
    views = [adjacency * 0.5, torch.rand(2, 5, 5)]
    anchor, outs = encoder.forward_with_views(feats, adjacency, views)
    torch.testing.assert_close(anchor, encoder(feats, adjacency))
    torch.testing.assert_close(anchor, plain_graph(encoder, feats, adjacency))
    for view, out in zip(views, outs):
        torch.testing.assert_close(out, plain_graph(encoder, feats, view))


@pytest.mark.parametrize('num_steps', [1, 3])
def test_graph_encoder_views_at_rows_equal_the_full_views_there(num_steps):
    torch.manual_seed(5)
    encoder = GatedGraphEncoder(embed_dims=16, num_steps=num_steps)
    feats = torch.randn(3, 6, 16)
    adjacency = torch.rand(3, 6, 6)
    views = [torch.rand(3, 6, 6), adjacency * (torch.rand(3, 6, 6) > 0.5)]
    rows = torch.tensor([[4, 0], [1, 2], [3, 5]])
    # a view closed over the rows: no message from outside them
    inside = torch.zeros(3, 6).scatter_(1, rows, 1.0)
    views.append(views[0] * inside[:, :, None] * inside[:, None, :] +
                 views[0] * (1 - inside[:, :, None]))
    anchor, outs = encoder.forward_with_views(
        feats, adjacency, views, rows, closed=(False, False, True))
    torch.testing.assert_close(anchor, encoder(feats, adjacency))
    for view, out in zip(views, outs):
        full = plain_graph(encoder, feats, view)
        assert out.shape == (3, 2, 16)
        torch.testing.assert_close(out, full[torch.arange(3)[:, None], rows])
    # the closed path is not the open one: marking a view closed that is
    # not gives other numbers
    _, (wrong, ) = encoder.forward_with_views(
        feats, adjacency, views[:1], rows, closed=(True, ))
    assert not torch.allclose(wrong, outs[0])


def test_head_views_are_the_full_views_at_the_present_label_slots():
    """The fast path keeps H+ and H- at the slots (B, K, D) the loss reads,
    equal to the full views there and zero at invalid slots; the loss on
    them equals the loss on the full views."""
    torch.manual_seed(6)
    head = small_head(5, 16, 2, ffn_dim=24)
    fmap = torch.randn(3, 16, 2, 2)
    targets = torch.tensor([[0., 1, 0, 1, 1], [1, 0, 0, 0, 0], [0, 0, 0, 0,
                                                                0]])
    out = head.forward_features((fmap, ), targets)
    full = head.contrastive_views(out['label_feats'], out['adjacency'],
                                  targets)
    rows, valid = out['slots']
    assert rows.shape == valid.shape == (3, 3)
    batch = torch.arange(3)[:, None]
    for got, expected in zip((out['positive'], out['negative']), full):
        assert got.shape == (3, 3, 16)
        torch.testing.assert_close(got[valid], expected[batch, rows][valid])
        assert got[~valid].abs().max() == 0
    at_slots = head.contrastive_loss(
        out['graph_feats'],
        out['positive'],
        out['negative'],
        targets,
        slots=out['slots'])
    dense = head.contrastive_loss(out['graph_feats'], *full, targets)
    torch.testing.assert_close(at_slots, dense)


@pytest.mark.parametrize('mode', ['train', 'eval'])
def test_label_self_attention_once_equals_nn_transformer(mode):
    """Dropout off: the transformer equals nn.Transformer in both modes, and
    the embedding's gradient (which sums over the batch) too."""
    torch.manual_seed(2)
    model = LabelQueryTransformer(
        num_classes=5,
        embed_dims=16,
        num_heads=4,
        ffn_dim=24,
        num_decoder_layers=2,
        dropout=0.0)
    getattr(model, mode)()
    tokens = torch.randn(3, 7, 16)
    got = model(tokens)
    queries = model.label_embed.weight.unsqueeze(0).expand(3, -1, -1)
    expected = model.transformer(tokens, queries)
    torch.testing.assert_close(got, expected)
    grad_got = torch.autograd.grad(got.square().sum(),
                                   model.label_embed.weight)[0]
    grad_expected = torch.autograd.grad(expected.square().sum(),
                                        model.label_embed.weight)[0]
    torch.testing.assert_close(grad_got, grad_expected)


@pytest.mark.parametrize('kept', ['dropout1', 'self_attn'])
def test_label_self_attention_draws_a_dropout_mask_per_image(kept):
    """With only the label self-attention's output dropout (or only its
    attention dropout) on, two images with the same tokens must still get
    different label features: the sub-layer computed once for the batch
    must not share one mask between images."""
    torch.manual_seed(3)
    model = LabelQueryTransformer(
        num_classes=4, embed_dims=16, num_heads=4, ffn_dim=24,
        dropout=0.5).train()
    for name, module in model.transformer.named_modules():
        if isinstance(module, nn.Dropout):
            module.p = 0.5 if name == f'decoder.layers.0.{kept}' else 0.0
        elif isinstance(module, nn.MultiheadAttention):
            module.dropout = 0.5 if name == f'decoder.layers.0.{kept}' \
                else 0.0
    tokens = torch.randn(1, 7, 16).expand(2, -1, -1)
    out = model(tokens)
    assert not torch.allclose(out[0], out[1])
    model.eval()
    out = model(tokens)
    torch.testing.assert_close(out[0], out[1])


def test_cooccurrence_split_map_equals_one_linear():
    from mlic.models.layers import CooccurrencePredictor
    torch.manual_seed(4)
    layer = CooccurrencePredictor(num_classes=5, embed_dims=8)
    feats, g = torch.randn(3, 5, 8), torch.randn(3, 8)
    expected = torch.sigmoid(
        layer.fc(torch.cat([feats, g[:, None].expand_as(feats)], -1)))
    torch.testing.assert_close(layer(feats, g), expected)
