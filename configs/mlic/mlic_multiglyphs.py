# MLIC on the embedded MultiGlyphs benchmark (30 labels, cluttered 64 px
# scenes with theme-driven co-occurrence); every MultiGlyphs row of
# docs/benchmarks.md shares this backbone, data, schedule, EMA and seed.
# python tools/train.py configs/mlic/mlic_multiglyphs.py
_base_ = [
    '../_base_/models/mlic_r101.py',
    '../_base_/models/resnet18_narrow.py',
    '../_base_/datasets/multiglyphs.py',
    '../_base_/schedules/multiglyphs_onecycle_10e.py',
    '../_base_/default_runtime.py',
]

num_classes = 30
model = dict(
    data_preprocessor=dict(num_classes=num_classes),
    # the narrow ResNet-18 of configs/_base_/models/resnet18_narrow.py
    backbone={{_base_.narrow_resnet18}},
    head=dict(
        num_classes=num_classes,
        transformer=dict(ffn_dim=512),
        graph_encoder=dict(num_steps=1),
        loss=dict(gamma_neg=2.0)))

default_hooks = dict(logger=dict(interval=20))
