# Baseline for MultiGlyphs: the backbone, data and schedule of
# configs/mlic/mlic_multiglyphs.py with global average pooling and one linear
# layer (mmpretrain's MultiLabelLinearClsHead) instead of the MLIC head.
_base_ = ['../mlic/mlic_multiglyphs.py']

model = dict(
    type='ImageClassifier',
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        _delete_=True,
        type='MultiLabelLinearClsHead',
        num_classes={{_base_.num_classes}},
        in_channels=256,
        loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0)))
