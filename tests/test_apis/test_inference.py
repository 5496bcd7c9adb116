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
    assert one['pred_score'].shape == (10, )
    assert one['pred_label'] == sorted(
        range(10), key=lambda i: -one['pred_score'][i])
    assert one['pred_class'] == [str(i) for i in one['pred_label']]
    both = inference_model(tiny_model, [path, img], threshold=1.0)
    np.testing.assert_allclose(
        both[0]['pred_score'], both[1]['pred_score'], rtol=1e-5)
    assert both[0]['pred_label'] == []
    thr = tmp_path / 'thr.json'
    import json
    thr.write_text(
        json.dumps(
            dict(
                classes=[str(d) for d in range(10)],
                thresholds=[0.0] * 5 + [1.0] * 5)))
    per_label = inference_model(tiny_model, img, threshold=str(thr))
    assert sorted(per_label['pred_label']) == [0, 1, 2, 3, 4]
    with pytest.raises(FileNotFoundError, match='nope.png'):
        inference_model(tiny_model, str(tmp_path / 'nope.png'))


def test_apis_import_in_one_direction():
    """The zoo looks names up; inference builds models from them."""
    import ast
    import os.path as osp

    import mlic.apis.model_zoo as zoo
    tree = ast.parse(open(zoo.__file__).read())
    imported = {
        node.module or ''
        for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    }
    assert not any('inference' in m for m in imported), imported
    from mlic.apis import get_model, inference
    assert get_model is inference.get_model
    assert osp.basename(zoo.__file__) == 'model_zoo.py'
