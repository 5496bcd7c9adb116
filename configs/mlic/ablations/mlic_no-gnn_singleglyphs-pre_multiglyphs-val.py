# mlic_no-gnn_multiglyphs.py in the MultiGlyphs protocol's pretrained regime:
# the ablation applied to ../mlic_singleglyphs-pre_multiglyphs-val.py (its
# tuned recipe is passed by tools/analysis_tools/multiglyphs_protocol.py).
_base_ = ['../mlic_singleglyphs-pre_multiglyphs-val.py']

model = dict(
    head=dict(graph_encoder=None, cooccurrence=None, contrastive_loss=None))
# No graph, so nothing for GraphDiagnosticsHook to log: the EMA alone.
custom_hooks = [
    dict(
        type='EMAHook',
        ema_type='ForeachExponentialMovingAverage',
        momentum=1 - 0.99,
        update_buffers=True,
        priority='ABOVE_NORMAL'),
]
