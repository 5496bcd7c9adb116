# MLIC on PASCAL VOC 2007 (docs/method.md §3): ResNet-101, 448 px,
# total batch 32, T=2 graph steps, ASL gamma_neg=0, OneCycle pct_start=0.4,
# EMA decay 0.9994. Written for 4 GPUs:
# tools/dist_train.sh configs/mlic/mlic_voc2007.py 4
_base_ = [
    '../_base_/models/mlic_r101.py',
    '../_base_/datasets/voc2007.py',
    '../_base_/schedules/mlic_onecycle_80e.py',
    '../_base_/default_runtime.py',
]

num_classes = 20
model = dict(
    data_preprocessor=dict(num_classes=num_classes),
    head=dict(
        num_classes=num_classes,
        graph_encoder=dict(num_steps=2),
        loss=dict(gamma_neg=0.0)))

ema_decay = 0.9994
custom_hooks = [
    dict(
        type='EMAHook',
        ema_type='ExponentialMovingAverage',
        momentum=1 - ema_decay,
        update_buffers=True,
        priority='ABOVE_NORMAL'),
]

auto_scale_lr = dict(base_batch_size=32, enable=False)
