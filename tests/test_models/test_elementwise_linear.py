"""ElementwiseLinear scores each label with its own row."""
import torch

from mlic.models import ElementwiseLinear


def test_elementwise_linear_scores_each_label_with_its_own_row():
    layer = ElementwiseLinear(num_classes=3, in_channels=4)
    bound = 1 / 2  # 1 / sqrt(4)
    assert layer.weight.abs().max() <= bound
    assert layer.bias.abs().max() <= bound
    x = torch.randn(5, 3, 4)
    expected = torch.stack(
        [x[:, c] @ layer.weight[c] + layer.bias[c] for c in range(3)], dim=1)
    torch.testing.assert_close(layer(x), expected)
