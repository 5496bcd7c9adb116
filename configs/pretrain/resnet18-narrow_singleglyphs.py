# Pretraining of the MultiGlyphs backbone on SingleGlyphs: the analogue of
# ImageNet pretraining for the embedded benchmark. One glyph per cluttered
# scene, a softmax over the 30 glyph classes, only MultiGlyphs' training
# glyphs, so the backbone learns glyphs but no label co-occurrence and never
# sees a MultiGlyphs test glyph. The backbone is the one every MultiGlyphs
# row uses (ResNet-18 with 32 base channels, strides (1, 2, 2, 1)).
#
# tools/misc/pretrain_backbone.py trains this config, writes the backbone
# checkpoint (fp16, with its sha256) and reports the test accuracy and a
# linear probe on MultiGlyphs; docs/benchmarks.md gives the figures.
_base_ = [
    '../_base_/models/resnet18_narrow.py',
    '../_base_/datasets/multidigits.py',
    '../_base_/schedules/multidigits_onecycle_10e.py',
    '../_base_/default_runtime.py',
]

num_classes = 30
model = dict(
    type='ImageClassifier',
    data_preprocessor=dict(
        type='ClsDataPreprocessor',
        num_classes=num_classes,
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone={{_base_.narrow_resnet18}},
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=num_classes,
        in_channels=256,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))

# The MultiDigits loaders and pipelines (64 px, the same checked loading),
# on SingleGlyphs, in the main process; scored by top-1 accuracy.
dataset_type = 'SingleGlyphs'
data_root = 'data/singleglyphs'
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator

# 8 epochs of 20,000 scenes (2,500 steps), validated after the last only.
max_epochs = 8
# No `end`: each cycle ends with the run, however train_cfg.max_epochs is
# set (QuietRunner; an `end` that differs from the run is refused).
param_scheduler = [
    dict(
        type='OneCycleLR',
        pct_start=0.2,
        by_epoch=True,
        begin=0,
        convert_to_iter_based=True),
    dict(
        type='OneCycleMomentum',
        base_momentum=0.85,
        max_momentum=0.95,
        pct_start=0.2,
        by_epoch=True,
        begin=0,
        convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(fused=True))
custom_hooks = [
    dict(
        type='EMAHook',
        ema_type='ForeachExponentialMovingAverage',
        momentum=1 - 0.99,
        update_buffers=True,
        priority='ABOVE_NORMAL'),
]
channels_last = True
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(save_best='accuracy/top1', rule='greater'))
