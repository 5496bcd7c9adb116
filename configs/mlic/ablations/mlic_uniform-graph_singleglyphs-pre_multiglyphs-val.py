# mlic_uniform-graph_multiglyphs.py in the MultiGlyphs protocol's pretrained
# regime: the ablation applied to ../mlic_singleglyphs-pre_multiglyphs-val.py
# (its tuned recipe is passed by tools/analysis_tools/multiglyphs_protocol.py).
_base_ = ['../mlic_singleglyphs-pre_multiglyphs-val.py']

model = dict(
    head=dict(cooccurrence=dict(_delete_=True, type='UniformCooccurrence')))
