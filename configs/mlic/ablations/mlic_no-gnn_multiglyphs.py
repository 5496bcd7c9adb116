# MLIC ablation on MultiGlyphs: no gated graph network. The label features
# of the label-query transformer go straight to the element-wise
# classifier; with no graph there is no co-occurrence part and no
# contrastive loss (it compares graph outputs).
_base_ = ['../mlic_multiglyphs.py']

model = dict(
    head=dict(graph_encoder=None, cooccurrence=None, contrastive_loss=None))
