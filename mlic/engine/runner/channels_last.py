import torch
import torch.nn as nn


def _inputs_channels_last(module, args, output):
    inputs = output.get('inputs') if isinstance(output, dict) else None
    if isinstance(inputs, torch.Tensor) and inputs.dim() == 4:
        output['inputs'] = inputs.contiguous(memory_format=torch.channels_last)
    return output


def enable_channels_last(model: nn.Module) -> nn.Module:
    """Put a classifier's 4-D weights and its data preprocessor's (B, 3, H,
    W) output in channels-last (NHWC) memory order, where convolutions
    (oneDNN on the CPU, cuDNN on GPUs) avoid layout conversions. The values,
    shapes and parameter names do not change, so checkpoints load either
    way. Returns the model (converted in place)."""
    model.to(memory_format=torch.channels_last)
    preprocessor = getattr(model, 'data_preprocessor', None)
    if preprocessor is not None and not getattr(preprocessor,
                                                '_mlic_channels_last', False):
        preprocessor.register_forward_hook(_inputs_channels_last)
        preprocessor._mlic_channels_last = True
    return model
