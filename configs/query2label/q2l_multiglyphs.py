# Query2Label-style head on MultiGlyphs: same backbone, data, schedule and
# seed as configs/mlic/mlic_multiglyphs.py.
_base_ = ['../mlic/mlic_multiglyphs.py']

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
