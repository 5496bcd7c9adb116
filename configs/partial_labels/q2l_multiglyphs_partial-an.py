# The Query2Label-style head on partial labels with "assume negative" (AN)
# in the loss (Cole et al., CVPR 2021): the partial-label table's
# Query2Label-style rows (docs/partial_labels.md).
_base_ = ['./q2l_multiglyphs_partial-ignore.py']

model = dict(head=dict(loss=dict(unknown_labels='negative')))
