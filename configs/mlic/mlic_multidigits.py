# MLIC on the embedded MultiDigits data (10 digits), on a CPU in minutes.
# python tools/train.py configs/mlic/mlic_multidigits.py
_base_ = [
    '../_base_/models/mlic_r101.py',
    '../_base_/models/resnet18_narrow.py',
    '../_base_/datasets/multidigits.py',
    '../_base_/schedules/multidigits_onecycle_10e.py',
    '../_base_/default_runtime.py',
]

num_classes = 10
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
