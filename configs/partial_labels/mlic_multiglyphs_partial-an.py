# MLIC on partial labels with "assume negative" (AN) in the classification
# loss (Cole et al., CVPR 2021); the graph views and the contrastive loss
# still use known labels only.
_base_ = ['./mlic_multiglyphs_partial-ignore.py']

model = dict(head=dict(loss=dict(unknown_labels='negative')))
