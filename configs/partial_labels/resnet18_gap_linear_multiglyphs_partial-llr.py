# The partial-label baseline with large-loss rejection (LL-R, Kim et al.,
# CVPR 2022): unknown labels are assumed negative, and from the second epoch
# on the largest of their losses are left out, 0.2 % of the batch's labels
# more each epoch (the epoch is the runner's).
_base_ = ['./resnet18_gap_linear_multiglyphs_partial-ignore.py']

model = dict(
    head=dict(
        loss=dict(
            _delete_=True,
            type='LargeLossModification',
            mode='reject',
            delta_rel=0.002,
            loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0))))
