# Query2Label-style head on MultiDigits: same backbone, data, schedule and
# seed as configs/mlic/mlic_multidigits.py.
_base_ = ['../mlic/mlic_multidigits.py']

model = dict(
    head=dict(
        _delete_=True,
        type='Query2LabelHead',
        num_classes={{_base_.num_classes}},
        num_encoder_layers=1,
        num_decoder_layers=2,
        num_heads=8,
        ffn_dim=512,
        loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0)))
