"""demo/image_demo.py prints and draws the predictions."""
import torch

from ..test_tools.helpers import run_tool
from ..zoo_fixtures import CONFIG


def test_image_demo_prints_and_draws(tiny_model, tmp_path):
    ckpt = tmp_path / 'digits.pth'
    torch.save(dict(state_dict=tiny_model.state_dict()), str(ckpt))
    out_file = tmp_path / 'out.png'
    code, out = run_tool([
        'demo/image_demo.py', 'demo/demo.png', CONFIG, '--checkpoint',
        str(ckpt), '--threshold', '0', '--out-file',
        str(out_file)
    ])
    assert code == 0, out
    lines = [
        line for line in out.splitlines() if ': 0.' in line or ': 1.' in line
    ]
    assert len(lines) == 10  # threshold 0: every label, with its score
    import cv2
    assert cv2.imread(str(out_file)).shape == (256, 256, 3)
