"""A third-party head living outside mlic, registered into mlic's MODELS
and used from a config through ``custom_imports``."""
import torch
from mmpretrain.models.heads import MultiLabelClsHead

from mlic.registry import MODELS


@MODELS.register_module()
class MaxPoolLinearHead(MultiLabelClsHead):
    """Global max pooling then one linear layer: (B, D, H, W) -> (B, C)."""

    def __init__(self, num_classes, in_channels, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.fc = torch.nn.Linear(in_channels, num_classes)

    def pre_logits(self, feats):
        return feats[-1].amax(dim=(2, 3))

    def forward(self, feats):
        return self.fc(self.pre_logits(feats))
