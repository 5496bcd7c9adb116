"""benchmark_inference.py runs end to end on a few images (its figures are
not checked: machines are noisy)."""
from .helpers import run_tool


def test_benchmark_prints_both_tables(tmp_path):
    code, out = run_tool([
        'tools/analysis_tools/benchmark_inference.py', '--num-images', '8',
        '--rounds', '1', '--skip-coco', '--work-dir',
        str(tmp_path)
    ])
    assert code == 0, out
    assert '| loop of inference_model (1 image per call) |' in out
    assert 'speed-up: ' in out
    assert '| MLIC MultiDigits (ResNet-18 narrow) | 64 px | 16 |' in out
    assert 'MS-COCO' not in out
