"""UniformCooccurrence: the same all-to-all graph for every image."""
import torch

from mlic.registry import MODELS


def test_uniform_graph_has_one_value_and_the_batch_shape():
    layer = MODELS.build(
        dict(type='UniformCooccurrence', num_classes=4, embed_dims=8))
    graph = layer(torch.randn(3, 4, 8), torch.randn(3, 8))
    assert graph.shape == (3, 4, 4)
    assert torch.equal(graph, torch.full((3, 4, 4), 0.5))
    assert not list(layer.parameters())  # nothing learned
    other = MODELS.build(
        dict(type='UniformCooccurrence', num_classes=4, value=0.25))
    assert torch.equal(
        other(torch.randn(1, 4, 8).double(), None),
        torch.full((1, 4, 4), 0.25, dtype=torch.float64))
