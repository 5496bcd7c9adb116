import torch
import torch.nn as nn

from mlic.registry import MODELS


@MODELS.register_module()
class CooccurrencePredictor(nn.Module):
    """Predicts each image's label co-occurrence matrix A
    (docs/method.md §1.4).

    Row i of A[b] is ``sigmoid(Linear([F[b, i], g[b]]))``: one linear map
    (2D -> C) shared by all labels, applied to the label feature concatenated
    with the image's global feature. A[b, i, j] weighs the message label j
    sends to label i.

    The map is applied in two parts, ``W_F F[b, i] + W_g g[b] + bias``, so
    the global feature is projected once per image rather than once per
    label and no (B, C, 2D) concatenation is built; the parameter is still
    the one ``Linear(2D, C)`` of reference checkpoints.

    Args:
        num_classes (int): Number of labels C.
        embed_dims (int): Feature width D.
    """

    def __init__(self, num_classes: int, embed_dims: int):
        super().__init__()
        self.fc = nn.Linear(2 * embed_dims, num_classes)

    def forward(self, label_feats: torch.Tensor,
                global_feat: torch.Tensor) -> torch.Tensor:
        """Args:
            label_feats (Tensor): F, (B, C, D).
            global_feat (Tensor): g, (B, D).

        Returns:
            Tensor: A in (0, 1), (B, C, C).
        """
        dims = label_feats.size(-1)
        weight = self.fc.weight  # (C, 2D)
        per_label = nn.functional.linear(label_feats, weight[:, :dims],
                                         self.fc.bias)  # (B, C, C)
        per_image = nn.functional.linear(global_feat, weight[:, dims:])
        return torch.sigmoid(per_label + per_image.unsqueeze(1))
