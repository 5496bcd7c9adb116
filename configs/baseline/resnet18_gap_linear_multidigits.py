# Baseline for MultiDigits: the same backbone, data and schedule as
# configs/mlic/mlic_multidigits.py, with global average pooling and one
# linear layer (mmpretrain's MultiLabelLinearClsHead) instead of the MLIC head.
_base_ = ['../mlic/mlic_multidigits.py']

model = dict(
    type='ImageClassifier',
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        _delete_=True,
        type='MultiLabelLinearClsHead',
        num_classes={{_base_.num_classes}},
        in_channels=256,
        loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0)))
