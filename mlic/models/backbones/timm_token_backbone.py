from typing import Tuple

import torch
from mmengine.model import BaseModule

from mlic.registry import MODELS


@MODELS.register_module()
class TimmTokenBackbone(BaseModule):
    """A timm model's last feature map, for token heads such as MLIC's.

    Used for TResNet (``model_name='tresnet_l'``), the backbone of the MLIC
    reference's TResNet results, and any other timm model with
    ``features_only`` support. timm is an optional dependency: without it,
    building this backbone fails with how to install it. mmpretrain's
    ``TIMMBackbone`` is not used because it does not expose the output
    width, which MLIC's head needs (``feat_dim`` here).

    Args:
        model_name (str): timm model name, e.g. ``'tresnet_l'``.
        pretrained (bool): Let timm load its ImageNet weights (downloads;
            only when training). Defaults to False.
        init_cfg (dict, optional): mmengine initialisation config.
        **kwargs: Passed to ``timm.create_model``.

    Returns (forward):
        tuple[Tensor]: the last stage's map, (B, feat_dim, H', W').
    """

    def __init__(self,
                 model_name: str,
                 pretrained: bool = False,
                 init_cfg=None,
                 **kwargs):
        try:
            import timm
        except ImportError:
            raise ImportError(
                f'TimmTokenBackbone({model_name!r}) needs the optional '
                'dependency timm: pip install timm') from None
        super().__init__(init_cfg=init_cfg)
        self.model = timm.create_model(
            model_name,
            pretrained=pretrained,
            features_only=True,
            out_indices=(-1, ),
            **kwargs)
        self.feat_dim = int(self.model.feature_info.channels()[-1])

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        return (self.model(x)[-1], )
