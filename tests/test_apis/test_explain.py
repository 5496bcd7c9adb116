"""ImageExplainer, what the web demo draws: the inferencer's scores, the
label maps, the label graph beside the training labels', and bad images
reported, not raised."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from mlic.apis import ImageExplainer, MultiLabelInferencer, init_model
from mlic.visualization.label_maps import CLASS_ACTIVATION, QUERY_ATTENTION
from ..test_tools.helpers import REPO_ROOT

DEMO = osp.join(REPO_ROOT, 'demo', 'multiglyphs_demo.png')


def tiny_model(config, root):
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.update(
            data_root=str(root), num_train=8, num_test=4, seed=0)
    torch.manual_seed(0)
    return init_model(cfg, None, device='cpu')


@pytest.fixture(scope='module')
def mlic_explainer(tmp_path_factory):
    root = tmp_path_factory.mktemp('glyphs')
    return ImageExplainer(tiny_model('configs/mlic/mlic_multiglyphs.py', root))


def test_scores_are_the_inferencers_and_maps_and_graph_are_drawn(
        mlic_explainer):
    out = mlic_explainer.explain(DEMO, threshold=0.5, num_maps=3)
    assert out['error'] is None
    expected = MultiLabelInferencer(
        mlic_explainer.model, num_workers=0)(
            DEMO, show_progress=False)[0]
    np.testing.assert_array_equal(out['scores'], expected['pred_scores'])
    assert out['predicted'] == expected['pred_labels']
    assert out['order'][:len(out['predicted'])] == out['predicted']
    assert list(np.sort(out['scores'])[::-1]) == list(
        out['scores'][out['order']])
    assert out['map_kind'] == QUERY_ATTENTION
    assert [c for c, _, _ in out['maps']] == out['order'][:3]
    for _, score, img in out['maps']:
        assert img.shape == (256, 256, 3) and img.dtype == np.uint8
        assert img.std() > 0
    assert out['graph'] is not None and out['graph'].std() > 0
    assert 'beside the training labels' in out['graph_note']
    assert set(out['timings_ms']) == {'scores', 'maps', 'graph', 'total'}


def test_per_label_thresholds_decide(mlic_explainer):
    scores = mlic_explainer.explain(DEMO)['scores']
    thresholds = np.full(30, 1.0)  # nothing passes ...
    best = int(np.argmax(scores))
    thresholds[best] = 0.0  # ... but the best label
    explainer = ImageExplainer(
        mlic_explainer.model, thresholds=thresholds.tolist())
    out = explainer.explain(DEMO, threshold=0.0)  # the global one unused
    assert out['predicted'] == [best]
    np.testing.assert_array_equal(out['thresholds'], thresholds)


def test_bad_images_are_reported_and_odd_ones_explained(
        mlic_explainer, tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / 'zero.png').write_bytes(b'')
    (tmp_path / 'text.png').write_text('not an image')
    jpeg = cv2.imencode('.jpg', rng.integers(0, 255, (64, 64, 3),
                                             np.uint8))[1].tobytes()
    (tmp_path / 'cut.jpg').write_bytes(jpeg[:len(jpeg) // 2])
    (tmp_path / 'huge.png'
     ).write_bytes(b'#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 8000 +X 8000\n' +
                   bytes(64))
    for name in ('zero.png', 'text.png', 'cut.jpg', 'huge.png'):
        out = mlic_explainer.explain(str(tmp_path / name))
        assert out['error'], name
        assert 'scores' not in out
    # grey, BGRA and 16-bit PNGs are images: explained, drawn in colour
    cv2.imwrite(
        str(tmp_path / 'grey.png'), rng.integers(0, 255, (40, 50), np.uint8))
    cv2.imwrite(
        str(tmp_path / 'bgra.png'), rng.integers(0, 255, (64, 64, 4),
                                                 np.uint8))
    cv2.imwrite(
        str(tmp_path / 'deep.png'),
        rng.integers(0, 65535, (64, 64, 3), np.uint16))
    for name in ('grey.png', 'bgra.png', 'deep.png'):
        out = mlic_explainer.explain(str(tmp_path / name))
        assert out['error'] is None, (name, out['error'])
        assert out['image'].shape == (256, 256, 3)
        assert out['image'].dtype == np.uint8


def test_a_head_without_a_graph_gets_class_activation_maps(tmp_path):
    explainer = ImageExplainer(
        tiny_model('configs/baseline/resnet18_gap_linear_multiglyphs.py',
                   tmp_path))
    out = explainer.explain(DEMO, num_maps=2)
    assert out['map_kind'] == CLASS_ACTIVATION and len(out['maps']) == 2
    assert out['graph'] is None
    assert out['graph_note'] == 'MultiLabelLinearClsHead has no label graph'


def test_training_labels_that_cannot_be_read_are_said(tmp_path):
    model = tiny_model('configs/mlic/mlic_multiglyphs.py', tmp_path)
    model.cfg.train_dataloader.dataset = dict(
        type='LabelListDataset',
        ann_file=str(tmp_path / 'missing.txt'),
        label_file=str(tmp_path / 'missing_labels.txt'))
    out = ImageExplainer(model).explain(DEMO)
    assert out['graph'] is not None  # the predicted graph alone
    assert 'training labels are not available here (FileNotFoundError' in \
        out['graph_note']
