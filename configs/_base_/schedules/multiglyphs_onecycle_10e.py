# CPU schedule shared by every MultiGlyphs row: the MultiDigits recipe
# (AdamW, OneCycle with momentum cycling, EMA of weights and buffers, 10
# epochs), here over 6,000 scenes and validated after epochs 5 and 10 only,
# to keep one run within the benchmark's time budget.
_base_ = ['./multidigits_onecycle_10e.py']

train_cfg = dict(val_interval=5)
