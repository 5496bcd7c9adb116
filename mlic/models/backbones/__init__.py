# mlic uses mmpretrain's backbones (ResNet, SwinTransformer,
# VisionTransformer, ConvNeXt, ...) through the registry's parent chain;
# backbones written for mlic register here.
from .pretrained_weights import align_pretrained_depth
from .timm_token_backbone import TimmTokenBackbone

__all__ = ['TimmTokenBackbone', 'align_pretrained_depth']
