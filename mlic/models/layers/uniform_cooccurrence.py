import torch
import torch.nn as nn

from mlic.registry import MODELS


@MODELS.register_module()
class UniformCooccurrence(nn.Module):
    """A fixed graph in which every label pair has the same weight.

    The ablation of :class:`CooccurrencePredictor` ("without predicted
    co-occurrence"): the gated graph network still runs, but every image
    gets the same all-to-all graph, so nothing about which labels go
    together is learned or predicted. The default weight 0.5 is σ(0), the
    level the predictor starts at, so message magnitudes stay comparable.

    Args:
        num_classes (int): Number of labels C.
        embed_dims (int): Unused; taken so the head can pass the predictor's
            arguments unchanged.
        value (float): The edge weight. Defaults to 0.5.
    """

    def __init__(self,
                 num_classes: int,
                 embed_dims: int = None,
                 value: float = 0.5):
        super().__init__()
        self.num_classes = num_classes
        self.value = value

    def forward(self, label_feats: torch.Tensor,
                global_feat: torch.Tensor) -> torch.Tensor:
        """Args:
            label_feats (Tensor): F, (B, C, D); only its shape is used.
            global_feat (Tensor): g, (B, D); unused.

        Returns:
            Tensor: A filled with ``value``, (B, C, C).
        """
        batch, num = label_feats.shape[:2]
        return label_feats.new_full((batch, num, num), self.value)
