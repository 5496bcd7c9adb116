# q2l_singleglyphs-pre_multiglyphs-tuned-20e.py in 10 epochs, the length at
# which the protocol chose its recipe (validation, rung 1 of the tuning):
# the recipe of the partial-label table's Query2Label-style rows
# (docs/partial_labels.md), as the quick start's is MLIC's.
_base_ = ['./q2l_singleglyphs-pre_multiglyphs-tuned-20e.py']

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
# The EMA window follows the run (RunLengthEMAHook of the 20-epoch config).
