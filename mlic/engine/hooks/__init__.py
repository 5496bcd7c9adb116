from .graph_diagnostics_hook import GraphDiagnosticsHook
from .label_cooccurrence_hook import (LabelCooccurrenceHook,
                                      dataset_cooccurrence)
from .num_class_check_hook import NumClassCheckHook
from .run_length_ema_hook import RunLengthEMAHook
from .safe_checkpoint_hook import (SafeCheckpointHook, capture_rng_state,
                                   restore_rng_state)
from .sync_all_buffers_hook import SyncAllBuffersHook
from .unknown_label_check_hook import UnknownLabelCheckHook

__all__ = [
    'GraphDiagnosticsHook', 'LabelCooccurrenceHook', 'NumClassCheckHook',
    'RunLengthEMAHook', 'SafeCheckpointHook', 'SyncAllBuffersHook',
    'UnknownLabelCheckHook', 'capture_rng_state', 'dataset_cooccurrence',
    'restore_rng_state'
]
