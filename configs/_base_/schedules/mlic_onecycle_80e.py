# The MLIC recipe (docs/method.md §3): AdamW, PyTorch-style OneCycle stepped
# every iteration (LR and β₁ momentum cycling), mixed precision, 80 epochs.
# fused=True: PyTorch's one-kernel AdamW (same update up to float rounding;
# on the CPU its step is about 3x faster than the default per-tensor loop,
# docs/benchmarks.md). Set it to False on a device without a fused AdamW.
optim_wrapper = dict(
    type='AnyDeviceAmpOptimWrapper',
    optimizer=dict(
        type='AdamW',
        lr=1e-4,
        weight_decay=1e-4,
        betas=(0.9, 0.999),
        eps=1e-8,
        fused=True))

max_epochs = 80
pct_start = 0.4
# No `end`: each cycle ends with the run, however train_cfg.max_epochs is
# set (QuietRunner; an `end` that differs from the run is refused).
param_scheduler = [
    dict(
        type='OneCycleLR',
        # eta_max left out: the peak is the optimizer's lr (so lr overrides
        # and --auto-scale-lr take effect).
        pct_start=pct_start,
        div_factor=25.0,
        final_div_factor=1e4,
        anneal_strategy='cos',
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

train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# EMA of all weights and buffers after every step; validation and the saved
# 'state_dict' use the EMA weights (mmengine's EMAHook swaps them in).
# mmengine's momentum is 1 - decay. The foreach variant is mmengine's
# average done with one torch._foreach_lerp_ (bitwise the same weights).
ema_decay = 0.9997
custom_hooks = [
    dict(
        type='EMAHook',
        ema_type='ForeachExponentialMovingAverage',
        momentum=1 - ema_decay,
        update_buffers=True,
        priority='ABOVE_NORMAL'),
]

# Convolutions in channels-last memory order (QuietRunner; on the CPU the
# float32 step of the MS-COCO model is about 10 % faster, docs/benchmarks.md).
channels_last = True

# Multi-GPU runs convert BatchNorm to SyncBatchNorm (dropped on CPU).
sync_bn = 'torch'

# Batch sizes in the dataset configs are per GPU for 4 GPUs; with
# --auto-scale-lr the LR follows the real total batch.
auto_scale_lr = dict(base_batch_size=128, enable=False)
