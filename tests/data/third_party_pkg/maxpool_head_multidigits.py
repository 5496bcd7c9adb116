_base_ = ['../../../configs/mlic/mlic_multidigits.py']

custom_imports = dict(imports=['my_heads'], allow_failed_imports=False)

model = dict(
    type='ImageClassifier',
    head=dict(
        _delete_=True,
        type='MaxPoolLinearHead',
        num_classes=10,
        in_channels=256,
        loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0)))
