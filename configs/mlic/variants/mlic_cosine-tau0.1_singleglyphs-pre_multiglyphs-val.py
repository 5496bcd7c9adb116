# A variant against the graph collapse (docs/method.md, "The graph
# collapse"), not the paper's loss: the contrastive loss compares
# L2-normalised graph features (cosine similarity over a temperature of 0.1,
# as supervised contrastive learning does) instead of raw dot products, so
# its value and gradients stay bounded while the graph is still random.
# MultiGlyphs protocol, pretrained regime.
_base_ = ['../mlic_singleglyphs-pre_multiglyphs-val.py']

model = dict(head=dict(contrastive_loss=dict(normalize=True, tau=0.1)))
