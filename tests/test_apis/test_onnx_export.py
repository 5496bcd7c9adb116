"""ONNX export of every head and backbone family, checked with ONNX Runtime
on batches of 2 and 3 (dynamic batch), at small input sizes."""
import os.path as osp

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from mmengine.config import Config

from mlic.apis import init_model
from mlic.apis.onnx_export import (export_onnx, input_shape_of,
                                   preprocessing_spec, verify_onnx)
from ..test_tools.helpers import REPO_ROOT, run_tool

SMALL_TOKENS = dict(
    swin=dict(arch='tiny', img_size=96, drop_path_rate=0.0),
    vit=dict(arch='deit-tiny', img_size=96, drop_path_rate=0.0),
    convnext=dict(arch='atto', drop_path_rate=0.0),
)
# (config, backbone overrides, input size)
CASES = {
    'mlic-resnet': ('configs/mlic/mlic_multidigits.py', {}, 64),
    'mlic-swin':
    ('configs/mlic/mlic_swin-b_coco.py', SMALL_TOKENS['swin'], 96),
    'mlic-vit': ('configs/mlic/mlic_vit-b_coco.py', SMALL_TOKENS['vit'], 96),
    'mlic-convnext':
    ('configs/mlic/mlic_convnext-b_coco.py', SMALL_TOKENS['convnext'], 64),
    'query2label': ('configs/query2label/q2l_multidigits.py', {}, 64),
    'ml-gcn': ('configs/ml_gcn/mlgcn_multidigits.py', {}, 64),
    'csra': ('configs/csra/csra_multidigits.py', {}, 64),
    'baseline':
    ('configs/baseline/resnet18_gap_linear_multidigits.py', {}, 64),
}


def small_model(config, overrides):
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.model.backbone.update(overrides)
    torch.manual_seed(0)
    model = init_model(cfg)
    # Random, non-trivial graph and statistics, as after training.
    for name, buffer in model.named_buffers():
        if name.endswith('adjacency'):
            buffer.copy_(torch.rand_like(buffer))
    return model


@pytest.mark.parametrize(
    'case',
    # Swin's export takes about 15 s on 2 cores
    [
        pytest.param(case, marks=pytest.mark.slow) if 'swin' in case else case
        for case in sorted(CASES)
    ])
def test_export_matches_pytorch_for_every_family(case, tmp_path):
    config, overrides, size = CASES[case]
    model = small_model(config, overrides)
    out = str(tmp_path / f'{case}.onnx')
    export_onnx(model, out, (size, size), dynamic_batch=True)
    report = verify_onnx(model, out, (size, size), batch_sizes=(2, 3))
    assert [r['batch_size'] for r in report] == [2, 3]
    assert all(r['max_abs_diff'] <= 1e-4 for r in report)
    graph = onnx.load(out)
    assert [i.name for i in graph.graph.input] == ['input']
    assert [o.name for o in graph.graph.output] == ['scores']
    meta = {p.key: p.value for p in graph.metadata_props}
    assert meta['classes'].split('\n') == model.dataset_meta['classes']
    spec = preprocessing_spec(model)
    assert meta['channel_order'] == spec['channel_order'] == 'RGB'
    np.testing.assert_allclose([float(v) for v in meta['mean'].split(',')],
                               [123.675, 116.28, 103.53],
                               atol=1e-3)


def test_verify_fails_on_a_different_model(tmp_path):
    model = small_model('configs/csra/csra_multidigits.py', {})
    out = str(tmp_path / 'm.onnx')
    export_onnx(model, out, (64, 64), dynamic_batch=True)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05)
    with pytest.raises(AssertionError, match='differs from PyTorch by'):
        verify_onnx(model, out, (64, 64))


def test_tool_exports_verifies_and_reads_the_test_size(tmp_path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs/mlic/mlic_coco.py'))
    assert input_shape_of(cfg) == (448, 448)
    out = tmp_path / 'digits.onnx'
    code, log = run_tool([
        'tools/deployment/pytorch2onnx.py', 'configs/mlic/mlic_multidigits.py',
        'none', '--output-file',
        str(out), '--dynamic-export', '--verify'
    ])
    assert code == 0, log
    assert 'input (B, 3, 64, 64) RGB float32' in log
    assert 'verified batch 3' in log and out.is_file()
    session = ort.InferenceSession(
        str(out), providers=['CPUExecutionProvider'])
    scores = session.run(None, {'input': np.zeros(
        (5, 3, 64, 64), np.float32)})[0]
    assert scores.shape == (5, 10) and ((0 < scores) & (scores < 1)).all()


def test_tool_without_onnx_says_what_to_install(tmp_path):
    hidden = tmp_path / 'no_onnx'
    hidden.mkdir()
    (hidden / 'onnx.py').write_text("raise ImportError('no onnx here')\n")
    code, log = run_tool([
        'tools/deployment/pytorch2onnx.py', 'configs/mlic/mlic_multidigits.py',
        'none', '--output-file',
        str(tmp_path / 'm.onnx')
    ],
                         env=dict(PYTHONPATH=f'{hidden}:{REPO_ROOT}'))
    assert code == 1
    assert 'pip install -e ".[deploy]"' in log
    assert not (tmp_path / 'm.onnx').exists()
