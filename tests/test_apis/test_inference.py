"""inference_model on paths, arrays and per-label thresholds; mlic.apis
imports in one direction."""
import numpy as np
import pytest

from mlic.apis import inference_model


def test_inference_on_paths_arrays_and_thresholds(tiny_model, tmp_path):
    import cv2
    img = np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)
    path = str(tmp_path / 'x.png')
    cv2.imwrite(path, img)
    one = inference_model(tiny_model, path, threshold=0.0)
    assert one['pred_scores'].shape == (10, )
    assert one['pred_labels'] == sorted(
        range(10), key=lambda i: -one['pred_scores'][i])
    assert one['pred_classes'] == [str(i) for i in one['pred_labels']]
    assert one['img_path'] == path and one['error'] is None
    both = inference_model(tiny_model, [path, img], threshold=1.0)
    np.testing.assert_allclose(
        both[0]['pred_scores'], both[1]['pred_scores'], rtol=1e-5)
    assert both[0]['pred_labels'] == [] and both[1]['img_path'] is None
    thr = tmp_path / 'thr.json'
    import json
    thr.write_text(
        json.dumps(
            dict(
                classes=[str(d) for d in range(10)],
                thresholds=[0.0] * 5 + [1.0] * 5)))
    per_label = inference_model(tiny_model, img, threshold=str(thr))
    assert sorted(per_label['pred_labels']) == [0, 1, 2, 3, 4]
    with pytest.raises(FileNotFoundError, match='nope.png'):
        inference_model(tiny_model, str(tmp_path / 'nope.png'))
    (tmp_path / 'bad.png').write_bytes(b'')
    with pytest.raises(ValueError, match=r'bad.png: .*the file is empty'):
        inference_model(tiny_model, [path, str(tmp_path / 'bad.png')])
    with pytest.raises(ValueError, match=r'image 1: the image array is'):
        inference_model(tiny_model, [img, np.zeros((0, 4, 3), np.uint8)])


def test_pred_scores_mean_the_same_in_every_entry_point(tiny_model, tmp_path):
    """``pred_scores`` is all C scores in inference_model, the inferencer
    and image_demo.py's JSON lines (it used to be the above-threshold
    scores in inference_model)."""
    import json
    import subprocess
    import sys

    import cv2
    import torch

    from mlic.apis import MultiLabelInferencer
    from ..test_tools.helpers import REPO_ROOT
    from ..zoo_fixtures import CONFIG
    path = str(tmp_path / 'x.png')
    cv2.imwrite(
        path,
        np.random.default_rng(1).integers(0, 255, (64, 64, 3), np.uint8))
    direct = inference_model(tiny_model, path, threshold=0.5)
    batched = MultiLabelInferencer(
        tiny_model, num_workers=0)([path], threshold=0.5)[0]
    ckpt = tmp_path / 'w.pth'
    torch.save(dict(state_dict=tiny_model.state_dict()), str(ckpt))
    out = tmp_path / 'p.jsonl'
    subprocess.run([
        sys.executable, 'demo/image_demo.py', path, CONFIG, '--checkpoint',
        str(ckpt), '--out',
        str(out)
    ],
                   cwd=REPO_ROOT,
                   check=True,
                   capture_output=True)
    line = json.loads(out.read_text())
    demo_scores = np.array([line['scores'][str(c)] for c in range(10)])
    for result in (direct, batched):
        assert result['pred_scores'].shape == (10, )
        np.testing.assert_allclose(
            result['pred_scores'], demo_scores, atol=1e-6)
        assert result['pred_labels'] == [
            c for c in np.argsort(-demo_scores) if demo_scores[c] >= 0.5
        ]
