# ML-GCN-style head on MultiDigits (learned label embeddings; the label
# graph is estimated from the training labels by LabelCooccurrenceHook).
# Same backbone, data, schedule and seed as configs/mlic/mlic_multidigits.py.
_base_ = ['../mlic/mlic_multidigits.py']

model = dict(
    head=dict(
        _delete_=True,
        type='MLGCNHead',
        num_classes={{_base_.num_classes}},
        embed_dims=300,
        hidden_dims=512,
        loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0)))

custom_hooks = [
    dict(type='LabelCooccurrenceHook'),
    dict(
        type='EMAHook',
        ema_type='ExponentialMovingAverage',
        momentum=1 - 0.99,
        update_buffers=True,
        priority='ABOVE_NORMAL'),
]
