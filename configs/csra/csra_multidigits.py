# mmpretrain's CSRA head (Zhu & Wu, "Residual Attention: A Simple but
# Effective Method for Multi-Label Recognition", ICCV 2021) on MultiDigits.
# Same backbone, data, schedule and seed as configs/mlic/mlic_multidigits.py.
_base_ = ['../mlic/mlic_multidigits.py']

model = dict(
    head=dict(
        _delete_=True,
        type='CSRAHead',
        num_classes={{_base_.num_classes}},
        num_heads=1,
        lam=0.1,
        loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0)))
