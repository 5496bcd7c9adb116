# Short CPU schedule for MultiDigits: the MLIC recipe's optimiser, OneCycle
# and EMA, with a larger peak LR because the network trains from scratch.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1e-3, weight_decay=1e-4, betas=(0.9, 0.999),
        eps=1e-8))

max_epochs = 10
# No `end`: each cycle ends with the run, however train_cfg.max_epochs is
# set (QuietRunner; an `end` that differs from the run is refused).
param_scheduler = [
    dict(
        type='OneCycleLR',
        # eta_max left out: the peak is the optimizer's lr (so lr overrides
        # and --auto-scale-lr take effect).
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

train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()

custom_hooks = [
    dict(
        type='EMAHook',
        ema_type='ExponentialMovingAverage',
        momentum=1 - 0.99,
        update_buffers=True,
        priority='ABOVE_NORMAL'),
]

# The LR above is for one process with the dataset config's batch of 64;
# with --auto-scale-lr it follows the real total batch.
auto_scale_lr = dict(base_batch_size=64, enable=False)
