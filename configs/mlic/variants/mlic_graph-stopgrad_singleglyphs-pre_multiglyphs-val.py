# A variant against the graph collapse (docs/method.md, "The graph
# collapse"), not the paper's method: the contrastive loss cannot move the
# predicted graph (its anchor is computed on a detached A), so the graph is
# learned from the classification loss alone and the contrastive term
# shapes the label features and the graph encoder only. MultiGlyphs
# protocol, pretrained regime.
_base_ = ['../mlic_singleglyphs-pre_multiglyphs-val.py']

model = dict(head=dict(contrastive_graph_grad=False))
