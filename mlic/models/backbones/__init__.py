# mlic uses mmpretrain's backbones (ResNet, SwinTransformer,
# VisionTransformer, ConvNeXt, ...) through the registry's parent chain;
# backbones written for mlic register here.
from .timm_token_backbone import TimmTokenBackbone

__all__ = ['TimmTokenBackbone']
