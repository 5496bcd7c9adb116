"""Export a multi-label model to ONNX and check it with ONNX Runtime.

The graph takes ``input`` (B, 3, H, W) float32, already preprocessed as the
config's data preprocessor does (channel order, then ``(x - mean) / std``;
:func:`preprocessing_spec` gives the values and the export stores them in
the file's metadata), and gives ``scores`` (B, C), sigmoid probabilities.

Reused: ``torch.onnx.export`` (the TorchScript exporter, ``dynamo=False``,
which handles every head and backbone family of the configs without
onnxscript), the model from :func:`init_model`, ONNX Runtime's CPU
provider for the check.
"""
import contextlib
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn

DEPLOY_HINT = ('ONNX export needs onnx and onnxruntime: pip install -e '
               '".[deploy]" (or pip install onnx onnxruntime)')


def require_onnx():
    """Import onnx and onnxruntime, or fail saying how to install them."""
    try:
        import onnx
        import onnxruntime
    except ImportError as err:
        raise ImportError(f'{DEPLOY_HINT} ({err})') from None
    return onnx, onnxruntime


class SigmoidScores(nn.Module):
    """``model(x, mode='tensor')`` followed by a sigmoid: (B, 3, H, W)
    preprocessed images to (B, C) probabilities, the exported graph."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.model(inputs, mode='tensor'))


def preprocessing_spec(model: nn.Module) -> Dict[str, object]:
    """What the data preprocessor does before the graph: ``channel_order``
    of the input ('RGB' when the BGR images are flipped), ``mean`` and
    ``std`` (per channel of that order, on 0-255 values)."""
    prep = model.data_preprocessor
    normalise = getattr(prep, '_enable_normalize', False)
    to_rgb = bool(getattr(prep, 'to_rgb', False))
    return dict(
        channel_order='RGB' if to_rgb else 'BGR',
        mean=prep.mean.flatten().tolist() if normalise else [0.0] * 3,
        std=prep.std.flatten().tolist() if normalise else [1.0] * 3)


def check_input_shape(model: nn.Module, shape: Tuple[int, int]) -> None:
    """Refuse an input size the model cannot take, before an export.

    What a model needs (a minimum size for the backbone's strides, a
    multiple of a patch size, ...) is not declared anywhere, so one
    forward pass of a zero image decides; its error is passed on with the
    size named.

    Args:
        model: In eval mode, from :func:`init_model`.
        shape (tuple): (H, W) of the input.

    Raises:
        ValueError: a side below 1, or the forward pass fails.
    """
    height, width = shape
    if height < 1 or width < 1:
        raise ValueError(f'the input size must be positive, got {height} x '
                         f'{width} (H x W)')
    try:
        with torch.no_grad():
            SigmoidScores(model).eval()(torch.zeros(1, 3, height, width))
    except RuntimeError as err:
        first = str(err).strip().splitlines()[0]
        raise ValueError(
            f'the model cannot take a {height} x {width} (H x W) input: '
            f'{first}') from None


def export_onnx(model: nn.Module,
                output_file: str,
                shape: Tuple[int, int],
                dynamic_batch: bool = False,
                opset: int = 17,
                batch_size: int = 1) -> None:
    """Write ``SigmoidScores(model)`` as ONNX, with the preprocessing and
    class names in the file's metadata.

    Args:
        model: In eval mode, from :func:`init_model`.
        output_file (str): The ``.onnx`` path (written whole, then renamed).
        shape (tuple): (H, W) of the input.
        dynamic_batch (bool): Batch dimension dynamic; else fixed to
            ``batch_size``.
        opset (int): ONNX opset. Defaults to 17.
    """
    onnx, _ = require_onnx()
    from mlic.utils.fileio import atomic_write
    check_input_shape(model, shape)
    wrapper = SigmoidScores(model).eval()
    dummy = torch.zeros(batch_size, 3, *shape)
    axes = {
        'input': {
            0: 'batch'
        },
        'scores': {
            0: 'batch'
        }
    } if dynamic_batch else None
    # Traced with autograd on: under no_grad, nn.Transformer layers take
    # their fused inference path (aten::_transformer_encoder_layer_fwd),
    # which has no ONNX export.
    proto_bytes = _export_to_bytes(wrapper, dummy, axes, opset)
    proto = onnx.load_from_string(proto_bytes)
    spec = preprocessing_spec(model)
    meta = dict(
        channel_order=spec['channel_order'],
        mean=','.join(f'{v:g}' for v in spec['mean']),
        std=','.join(f'{v:g}' for v in spec['std']),
        classes='\n'.join(model.dataset_meta['classes']),
        producer='mlic')
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(proto)
    atomic_write(output_file, lambda f: f.write(proto.SerializeToString()))


def _swin_window_reverse(windows, H, W, window_size):
    """mmpretrain's ``ShiftWindowMSA.window_reverse`` without its
    ``int(windows.shape[0] / ...)``, which tracing turns into a constant:
    the batch is inferred (-1) instead, so a dynamic-batch graph stays
    right for every batch size."""
    channels = windows.shape[-1]
    x = windows.view(-1, H // window_size, W // window_size, window_size,
                     window_size, channels)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, H, W, channels)


@contextlib.contextmanager
def export_rewrites():
    """Swap in trace-friendly versions of backbone functions that bake the
    batch size into a traced graph (as mmdeploy's function rewriters do),
    and put the originals back afterwards. Without it a Swin graph exported
    at batch 1 gives wrong scores at batch 2 (off by 0.14 in a test)."""
    from mmpretrain.models.utils.attention import ShiftWindowMSA
    original = ShiftWindowMSA.__dict__['window_reverse']
    ShiftWindowMSA.window_reverse = staticmethod(_swin_window_reverse)
    try:
        yield
    finally:
        ShiftWindowMSA.window_reverse = original


def _export_to_bytes(wrapper, dummy, axes, opset) -> bytes:
    import io
    buffer = io.BytesIO()
    with export_rewrites():
        _export(wrapper, dummy, axes, opset, buffer)
    return buffer.getvalue()


def _export(wrapper, dummy, axes, opset, buffer) -> None:
    torch.onnx.export(
        wrapper, (dummy, ),
        buffer,
        input_names=['input'],
        output_names=['scores'],
        dynamic_axes=axes,
        opset_version=opset,
        dynamo=False)


def verify_onnx(model: nn.Module,
                onnx_file: str,
                shape: Tuple[int, int],
                batch_sizes: Sequence[int] = (2, 3),
                tolerance: float = 1e-4,
                seed: int = 0) -> List[dict]:
    """Run PyTorch and ONNX Runtime (CPU) on random inputs of each batch
    size; the largest absolute score difference of each.

    Returns:
        list[dict]: ``batch_size`` and ``max_abs_diff`` per batch size.

    Raises:
        AssertionError: a difference above ``tolerance``, naming it.
    """
    _, ort = require_onnx()
    session = ort.InferenceSession(
        onnx_file, providers=['CPUExecutionProvider'])
    wrapper = SigmoidScores(model).eval()
    generator = torch.Generator().manual_seed(seed)
    report = []
    for batch_size in batch_sizes:
        inputs = torch.randn(batch_size, 3, *shape, generator=generator)
        with torch.no_grad():
            expected = wrapper(inputs).numpy()
        got = session.run(['scores'], {'input': inputs.numpy()})[0]
        if got.shape != expected.shape:
            raise AssertionError(
                f'ONNX Runtime gave scores of shape {got.shape}, PyTorch '
                f'{expected.shape} (batch {batch_size})')
        diff = float(np.abs(got - expected).max())
        report.append(dict(batch_size=batch_size, max_abs_diff=diff))
        if not diff <= tolerance:
            raise AssertionError(
                f'ONNX Runtime differs from PyTorch by {diff:.3g} > '
                f'{tolerance:g} at batch {batch_size} ({onnx_file})')
    return report


def input_shape_of(cfg) -> Optional[Tuple[int, int]]:
    """(H, W) the config's test pipeline resizes to, else the size every
    image of the test dataset has when the dataset declares one
    (:func:`~mlic.datasets.utils.declared_metainfo`), else None."""
    from mlic.datasets.utils import declared_metainfo
    dataset = cfg.test_dataloader.dataset
    for step in dataset.get('pipeline', []):
        if step.get('type') == 'Resize' and 'scale' in step:
            width, height = step['scale']  # mmcv's scale is (w, h)
            return int(height), int(width)
    return declared_metainfo(dataset).get('input_size')
