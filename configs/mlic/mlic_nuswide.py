# MLIC on NUS-WIDE (docs/method.md §3): ResNet-101, 448 px, total batch 128,
# T=4 graph steps, ASL gamma_neg=1, OneCycle pct_start=0.4,
# EMA decay 0.9997. Written for 4 GPUs:
# tools/dist_train.sh configs/mlic/mlic_nuswide.py 4
_base_ = [
    '../_base_/models/mlic_r101.py',
    '../_base_/datasets/nuswide.py',
    '../_base_/schedules/mlic_onecycle_80e.py',
    '../_base_/default_runtime.py',
]

num_classes = 81
model = dict(
    data_preprocessor=dict(num_classes=num_classes),
    head=dict(
        num_classes=num_classes,
        graph_encoder=dict(num_steps=4),
        loss=dict(gamma_neg=1.0)))
