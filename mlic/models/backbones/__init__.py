# mlic uses mmpretrain's backbones (ResNet, Swin, ViT, ...) through the
# registry's parent chain; backbones written for mlic register here.
