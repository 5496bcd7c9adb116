# MLIC on Visual Genome VG-500 (docs/method.md §3): ResNet-101, 512 px,
# total batch 128, T=2 graph steps, ASL gamma_neg=2, OneCycle pct_start=0.2,
# EMA decay 0.9997. Written for 4 GPUs:
# tools/dist_train.sh configs/mlic/mlic_vg500.py 4
_base_ = [
    '../_base_/models/mlic_r101.py',
    '../_base_/datasets/vg500.py',
    '../_base_/schedules/mlic_onecycle_80e.py',
    '../_base_/default_runtime.py',
]

num_classes = 500
model = dict(
    data_preprocessor=dict(num_classes=num_classes),
    head=dict(
        num_classes=num_classes,
        graph_encoder=dict(num_steps=2),
        loss=dict(gamma_neg=2.0)))

pct_start = 0.2
# No `end`: each cycle ends with the run, however train_cfg.max_epochs is
# set (QuietRunner; an `end` that differs from the run is refused).
param_scheduler = [
    dict(
        type='OneCycleLR',
        # eta_max left out: the peak is the optimizer's lr (so lr overrides
        # and --auto-scale-lr take effect).
        pct_start=pct_start,
        by_epoch=True,
        begin=0,
        convert_to_iter_based=True),
    dict(
        type='OneCycleMomentum',
        base_momentum=0.85,
        max_momentum=0.95,
        pct_start=pct_start,
        by_epoch=True,
        begin=0,
        convert_to_iter_based=True),
]
