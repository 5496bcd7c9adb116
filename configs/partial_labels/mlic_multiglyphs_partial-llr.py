# MLIC on partial labels with large-loss rejection (LL-R, Kim et al., CVPR
# 2022) in the classification loss, on the asymmetric loss of the full-label
# recipe; the graph views and the contrastive loss use known labels only.
_base_ = ['./mlic_multiglyphs_partial-ignore.py']

model = dict(
    head=dict(
        loss=dict(
            _delete_=True,
            type='LargeLossModification',
            mode='reject',
            delta_rel=0.002,
            loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0))))
