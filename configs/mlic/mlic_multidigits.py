# MLIC on the embedded MultiDigits data (10 digits), on a CPU in minutes.
# python tools/train.py configs/mlic/mlic_multidigits.py
_base_ = [
    '../_base_/models/mlic_r101.py',
    '../_base_/datasets/multidigits.py',
    '../_base_/schedules/multidigits_onecycle_10e.py',
    '../_base_/default_runtime.py',
]

num_classes = 10
model = dict(
    data_preprocessor=dict(num_classes=num_classes),
    # A narrow ResNet-18 trained from scratch: D = 8 * base_channels = 256.
    # The last stage keeps stride 16, so a 64 px scene gives 4 x 4 tokens.
    backbone=dict(
        depth=18, base_channels=32, strides=(1, 2, 2, 1), init_cfg=None),
    head=dict(
        num_classes=num_classes,
        transformer=dict(ffn_dim=512),
        graph_encoder=dict(num_steps=1),
        loss=dict(gamma_neg=2.0)))

default_hooks = dict(logger=dict(interval=20))
