# MLIC on MultiGlyphs with T = 2 graph propagation steps (the main config
# has T = 1).
_base_ = ['../mlic_multiglyphs.py']

model = dict(head=dict(graph_encoder=dict(num_steps=2)))
