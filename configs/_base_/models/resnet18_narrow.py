# The backbone of every MultiDigits and MultiGlyphs row (and of the
# SingleGlyphs pretraining): a narrow ResNet-18 trained from scratch,
# D = 8 x 32 = 256 channels. The stem's /4 and stage strides (1, 2, 2, 1)
# give a 64 px scene 4 x 4 tokens of 16 px, about one glyph (9-16 px) each.
# Configs take it as `backbone={{_base_.narrow_resnet18}}`.
narrow_resnet18 = dict(
    type='ResNet',
    depth=18,
    base_channels=32,
    strides=(1, 2, 2, 1),
    num_stages=4,
    out_indices=(3, ),
    style='pytorch',
    init_cfg=None)
