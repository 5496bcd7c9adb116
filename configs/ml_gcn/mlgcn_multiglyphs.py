# ML-GCN-style head on MultiGlyphs (learned label embeddings; the label
# graph is estimated from the training labels by LabelCooccurrenceHook).
# Same backbone, data, schedule and seed as configs/mlic/mlic_multiglyphs.py.
_base_ = ['../mlic/mlic_multiglyphs.py']

model = dict(
    head=dict(
        _delete_=True,
        type='MLGCNHead',
        num_classes={{_base_.num_classes}},
        embed_dims=300,
        hidden_dims=512,
        loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0)))

# the schedule's EMA hook restated (a list replaces the base's whole list)
custom_hooks = [
    dict(type='LabelCooccurrenceHook'),
    dict(
        type='EMAHook',
        ema_type='ForeachExponentialMovingAverage',
        momentum=1 - 0.99,
        update_buffers=True,
        priority='ABOVE_NORMAL'),
]
