# MLIC on the embedded MultiGlyphs benchmark (30 labels, cluttered 64 px
# scenes with theme-driven co-occurrence); every MultiGlyphs row of
# docs/benchmarks.md shares this backbone, data, schedule, EMA and seed.
# python tools/train.py configs/mlic/mlic_multiglyphs.py
_base_ = [
    '../_base_/models/mlic_r101.py',
    '../_base_/datasets/multiglyphs.py',
    '../_base_/schedules/multiglyphs_onecycle_10e.py',
    '../_base_/default_runtime.py',
]

num_classes = 30
model = dict(
    data_preprocessor=dict(num_classes=num_classes),
    # The MultiDigits backbone: a narrow ResNet-18 from scratch, D = 256.
    # Stem /4 and stage strides (1, 2, 2, 1) give a 64 px scene 4 x 4
    # tokens of 16 px, about one glyph (9-16 px) each.
    backbone=dict(
        depth=18, base_channels=32, strides=(1, 2, 2, 1), init_cfg=None),
    head=dict(
        num_classes=num_classes,
        transformer=dict(ffn_dim=512),
        graph_encoder=dict(num_steps=1),
        loss=dict(gamma_neg=2.0)))

default_hooks = dict(logger=dict(interval=20))
