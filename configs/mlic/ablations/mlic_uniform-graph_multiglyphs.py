# MLIC ablation on MultiGlyphs: no predicted co-occurrence. The gated graph
# network and the contrastive loss run on a fixed graph with the same weight
# on every label pair (UniformCooccurrence).
_base_ = ['../mlic_multiglyphs.py']

model = dict(
    head=dict(cooccurrence=dict(_delete_=True, type='UniformCooccurrence')))
