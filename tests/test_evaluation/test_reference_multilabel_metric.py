"""ReferenceMultiLabelMetric through the evaluator, the --out dump and the
offline evaluation, and non-finite scores."""
import re

import numpy as np
import pytest
import torch
from mmpretrain.structures import DataSample

from mlic.evaluation import multilabel_metrics
from mlic.registry import METRICS
from mlic.utils import safe_pickle_load
from ..test_tools.helpers import CONFIG, run_tool, tiny_multidigits_options


def test_registered_metric_reads_samples_and_difficult_labels():
    rng = np.random.default_rng(0)
    scores = rng.random((9, 4)).astype(np.float32)
    targets = (rng.random((9, 4)) < 0.4)
    ignore = (rng.random((9, 4)) < 0.2) & ~targets
    metric = METRICS.build(
        dict(type='ReferenceMultiLabelMetric', topk=2, classwise=True))
    metric.dataset_meta = dict(classes=['a', 'b', 'c', 'd'])
    for start in (0, 5):  # two batches
        samples = []
        for i in range(start, min(start + 5, 9)):
            s = DataSample().set_gt_label(np.nonzero(targets[i])[0].tolist())
            s.set_pred_score(torch.from_numpy(scores[i]))
            s.set_field(
                np.nonzero(ignore[i])[0].tolist(), 'gt_label_difficult')
            samples.append(s.to_dict())
        metric.process(None, samples)
    out = metric.evaluate(9)
    expected = multilabel_metrics(scores, targets, ignore=ignore, topk=2)
    assert out['multi-label/mAP'] == pytest.approx(expected['mAP'])
    assert out['multi-label/CF1_top2'] == pytest.approx(expected['CF1_top2'])


def test_out_dump_and_offline_eval_reproduce_the_test_metrics(tmp_path):
    work = tmp_path / 'w'
    opts = tiny_multidigits_options(
        str(tmp_path / 'd'), epochs=1, num_train=32, num_test=24)
    code, out = run_tool(
        ['tools/train.py', CONFIG, '--work-dir',
         str(work), '--cfg-options'] + opts)
    assert code == 0, out
    dump = tmp_path / 'preds.pkl'
    code, out = run_tool([
        'tools/test.py', CONFIG,
        str(work / 'epoch_1.pth'), '--out',
        str(dump), '--work-dir',
        str(tmp_path / 't'), '--cfg-options'
    ] + opts)
    assert code == 0, out
    assert 'per-label AP:' in out  # classwise table of the test evaluator
    test_map = float(re.findall(r'multi-label/mAP: ([0-9.]+)', out)[-1])

    data = safe_pickle_load(str(dump))
    assert data['scores'].shape == (24, 10)
    assert data['classes'] == [str(d) for d in range(10)]

    code, out = run_tool([
        'tools/analysis_tools/eval_metric.py',
        str(dump), '--classwise', '--search-thresholds',
        str(tmp_path / 'thr.json')
    ])
    assert code == 0, out
    assert 'at 0.5' in out and 'at the found thresholds' in out
    # mAP does not depend on thresholds: both columns equal the test's
    at_half, at_found = map(
        float,
        re.search(r' mAP:\s+([0-9.]+)\s+([0-9.]+)', out).groups())
    assert at_half == at_found == pytest.approx(test_map, abs=1e-4)
    # the F1-best thresholds cannot give a lower CF1 on the searched dump
    cf1_half, cf1_found = map(
        float,
        re.search(r' CF1:\s+([0-9.]+)\s+([0-9.]+)', out).groups())
    assert cf1_found >= cf1_half
    searched_cf1 = cf1_found
    code, out = run_tool([
        'tools/analysis_tools/eval_metric.py',
        str(dump), '--thresholds',
        str(tmp_path / 'thr.json')
    ])
    assert code == 0, out
    assert f'at the thresholds of {tmp_path / "thr.json"}' in out
    assert float(re.search(r' CF1:\s+([0-9.]+)', out).group(1)) == \
        pytest.approx(searched_cf1, abs=1e-4)


def test_non_finite_scores_name_the_epoch_and_count():
    import numpy as np
    from mmengine.logging import MessageHub

    from mlic.evaluation.metrics import ReferenceMultiLabelMetric
    metric = ReferenceMultiLabelMetric()
    hub = MessageHub.get_current_instance()
    hub.update_info('epoch', 2)
    scores = np.full((4, 3), 0.5, np.float32)
    scores[1, 2] = np.nan
    scores[3, 0] = np.inf
    results = [(s, np.array([0]), np.array([], np.int64)) for s in scores]
    with pytest.raises(
            FloatingPointError,
            match=r'after epoch 3: 2 of 12 scores are not finite'):
        metric.compute_metrics(results)


def test_a_sample_with_unknown_labels_is_refused_naming_the_image():
    metric = METRICS.build(dict(type='ReferenceMultiLabelMetric'))
    full = DataSample().set_gt_label([0]).set_pred_score(torch.rand(3))
    full.set_field([], 'gt_label_unknown')  # none unknown: fine
    metric.process(None, [full.to_dict()])
    partial = DataSample(metainfo=dict(img_path='x/7.png')).set_gt_label(
        [0]).set_pred_score(torch.rand(3))
    partial.set_field([1, 2], 'gt_label_unknown')
    with pytest.raises(
            ValueError,
            match=r'image x/7.png has unknown labels '
            r'\[1, 2\] in an evaluation'):
        metric.process(None, [partial.to_dict()])
