"""analyze_logs.py on a canned mmengine scalars.json: curves drawn to a PNG
that is not blank, step times as computed by hand, named errors."""
import json

import cv2
import numpy as np

from .helpers import run_tool


def write_log(path, losses, maps, times):
    lines = []
    step = 0
    for epoch, (epoch_losses, epoch_map) in enumerate(zip(losses, maps), 1):
        for loss, time in zip(epoch_losses, times):
            step += 1
            lines.append(
                dict(
                    lr=1e-3,
                    loss=loss,
                    time=time,
                    data_time=0.01,
                    epoch=epoch,
                    iter=step,
                    step=step))
        lines.append({
            'multi-label/mAP': epoch_map,
            'time': 0.2,
            'step': epoch
        })
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(''.join(json.dumps(line) + '\n' for line in lines))
    return str(path)


def test_plot_curve_and_train_time(tmp_path):
    a = write_log(tmp_path / 'a' / 'vis_data' / 'scalars.json',
                  [[3.0, 2.5, 2.0], [1.8, 1.5, 1.4]], [40.0, 55.0],
                  [0.9, 0.3, 0.5])
    b = write_log(tmp_path / 'b' / 'vis_data' / 'scalars.json',
                  [[3.2, 2.9, 2.4], [2.2, 2.0, 1.9]], [35.0, 48.0],
                  [1.0, 0.2, 0.2])
    out = tmp_path / 'curves.png'
    code, log = run_tool([
        'tools/analysis_tools/analyze_logs.py', 'plot_curve', a, b, '--keys',
        'loss', 'multi-label/mAP', '--legend', 'mlic', 'baseline', '--out',
        str(out)
    ])
    assert code == 0, log
    img = cv2.imread(str(out))
    assert img.shape == (600, 700, 3)  # 7 x 3 inches per panel, 100 dpi
    assert img.std() > 10  # not blank: lines, axes, text

    code, log = run_tool(
        ['tools/analysis_tools/analyze_logs.py', 'cal_train_time', a, b])
    assert code == 0, log
    # the first step (warm-up) is left out: a has 0.3, 0.5, 0.9, 0.3, 0.5
    mean_a = np.mean([0.3, 0.5, 0.9, 0.3, 0.5])
    assert f'{a}: {mean_a:.4f} s/iter on average (fastest 0.3000, ' \
        'slowest 0.9000' in log

    code, log = run_tool([
        'tools/analysis_tools/analyze_logs.py', 'plot_curve', a, '--keys',
        'loss_nothing', '--out',
        str(tmp_path / 'x.png')
    ])
    assert code != 0 and "no log has 'loss_nothing'" in log
    assert "'multi-label/mAP'" in log  # the keys that exist are listed
