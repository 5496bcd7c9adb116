# MLIC ablation on MultiGlyphs: no contrastive co-occurrence loss (λ = 0);
# the head is trained by the classification loss alone.
_base_ = ['../mlic_multiglyphs.py']

model = dict(head=dict(contrastive_loss=None))
