# mlic_multiglyphs.py in the MultiGlyphs protocol (docs/benchmarks.md, "The
# MultiGlyphs protocol"), from scratch: trained on 5,000 of the 6,000 training
# scenes, validated on the other 1,000 (every choice is made there), tested
# once per final run on the test split.
_base_ = ['./mlic_multiglyphs.py']

train_dataloader = dict(dataset=dict(num_val=1000))
val_dataloader = dict(dataset=dict(split='val', num_val=1000))
test_dataloader = dict(dataset=dict(split='test'))
# The tuned backbone-vs-head learning-rate multiplier sets this.
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}))
# The predicted graph's summaries in the training log (graph/... entries):
# GraphDiagnosticsHook. The EMA entry is the schedule's, restated because a
# child config replaces the list.
custom_hooks = [
    dict(type='GraphDiagnosticsHook'),
    dict(
        type='EMAHook',
        ema_type='ForeachExponentialMovingAverage',
        momentum=1 - 0.99,
        update_buffers=True,
        priority='ABOVE_NORMAL'),
]
