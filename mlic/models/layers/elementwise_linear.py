import math

import torch
import torch.nn as nn

from mlic.registry import MODELS


@MODELS.register_module()
class ElementwiseLinear(nn.Module):
    """One linear scorer per label: logit[b, c] = <W[c], x[b, c]> + bias[c].

    ``nn.Linear`` would share one weight across labels; here each label has
    its own row, applied to its own feature (docs/method.md §1.6). Weight and
    bias are initialised uniform in ±1/sqrt(in_channels), as the reference
    does.

    Args:
        num_classes (int): Number of labels C.
        in_channels (int): Feature width per label (2D in MLIC).
    """

    def __init__(self, num_classes: int, in_channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(num_classes, in_channels))
        self.bias = nn.Parameter(torch.empty(num_classes))
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1. / math.sqrt(self.weight.size(1))
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args:
            x (Tensor): Per-label features, (B, C, in_channels).

        Returns:
            Tensor: Logits, (B, C).
        """
        return (x * self.weight).sum(dim=-1) + self.bias
