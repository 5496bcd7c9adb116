# The partial-label baseline with "assume negative" (AN): every unknown label
# is scored as a negative (Cole et al., CVPR 2021), with the asymmetric loss
# of the full-label recipe.
_base_ = ['./resnet18_gap_linear_multiglyphs_partial-ignore.py']

model = dict(
    head=dict(
        loss=dict(
            type='ReferenceAsymmetricLoss',
            gamma_neg=2.0,
            unknown_labels='negative')))
