# CPU schedule shared by every MultiGlyphs row: the MultiDigits recipe
# (AdamW, OneCycle with momentum cycling, EMA of weights and buffers, 10
# epochs), here over 6,000 scenes and validated after epochs 5 and 10 only,
# to keep one run within the benchmark's time budget (8 minutes on 2 CPU
# cores). For the same reason it turns on the speed switches of the paper
# recipe, which compute the same function up to float rounding
# (docs/benchmarks.md, "Training step: cost and speed switches"): fused
# AdamW, the EMA as one foreach update, channels-last memory format.
_base_ = ['./multidigits_onecycle_10e.py']

optim_wrapper = dict(optimizer=dict(fused=True))
train_cfg = dict(val_interval=5)
custom_hooks = [
    dict(
        type='EMAHook',
        ema_type='ForeachExponentialMovingAverage',
        momentum=1 - 0.99,
        update_buffers=True,
        priority='ABOVE_NORMAL'),
]
channels_last = True
