"""The partial-label encoding's one name, shared by the datasets (which
write it), the models (which read it) and the metrics (which refuse it):
a ``data_info`` / ``DataSample`` lists an image's unknown labels under
``gt_label_unknown`` (docs/partial_labels.md)."""

UNKNOWN_KEY = 'gt_label_unknown'
