"""The functional multi-label metrics: AP with tie rules, CP/CR/CF1,
OP/OR/OF1, top-k."""
import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score

from mlic.evaluation import average_precision_per_label, multilabel_metrics

EPS = np.finfo(np.float64).eps


def reference_style(scores, targets, ignore, threshold=0.5, topk=3):
    """docs/method.md §4 with one loop per label and per image, written here
    from the rules (stable argsort for deterministic ties)."""
    N, C = scores.shape
    aps = []
    for c in range(C):
        keep = ~ignore[:, c]
        s, t = scores[keep, c], targets[keep, c]
        t = t[np.argsort(s, kind='stable')[::-1]]
        tp = np.cumsum(t == 1)
        npos = max(tp[-1] if len(tp) else 0, EPS)
        rec = tp / npos
        prec = tp / np.arange(1, len(t) + 1)
        mrec = np.concatenate(([0.], rec, [1.]))
        mpre = np.concatenate(([0.], prec, [0.]))
        for i in range(len(mpre) - 1, 0, -1):
            mpre[i - 1] = max(mpre[i - 1], mpre[i])
        idx = np.where(mrec[1:] != mrec[:-1])[0]
        aps.append(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))

    def counts(sc):
        gt, pd, tp = np.zeros(C), np.zeros(C), np.zeros(C)
        for c in range(C):
            keep = ~ignore[:, c]
            gt[c] = np.sum(targets[keep, c] == 1)
            pd[c] = np.sum(sc[keep, c] >= threshold)
            tp[c] = np.sum(targets[keep, c] * (sc[keep, c] >= threshold))
        m = lambda x: np.maximum(x, EPS)  # noqa: E731
        cp, cr = np.mean(m(tp) / m(pd)), np.mean(m(tp) / m(gt))
        op, orr = m(tp.sum()) / m(pd.sum()), m(tp.sum()) / m(gt.sum())
        return dict(
            CP=cp,
            CR=cr,
            CF1=2 * cp * cr / (cp + cr),
            OP=op,
            OR=orr,
            OF1=2 * op * orr / (op + orr))

    top = scores.copy()
    for i in range(N):
        top[i, np.argsort(-scores[i], kind='stable')[topk:]] = 0
    out = dict(mAP=np.mean(aps))
    out.update(counts(scores))
    out.update({f'{k}_top{topk}': v for k, v in counts(top).items()})
    return {k: 100 * v for k, v in out.items()}, 100 * np.array(aps)


def test_interpolated_and_plain_ap_by_hand():
    scores = np.array([[0.9], [0.8], [0.7], [0.6]])
    targets = np.array([[0], [1], [1], [0]])
    # precisions at the positives: 1/2 and 2/3
    assert average_precision_per_label(
        scores, targets, mode='voc07')[0] == pytest.approx((1 / 2 + 2 / 3) / 2)
    # interpolated: both positives see the later 2/3
    assert average_precision_per_label(scores,
                                       targets)[0] == pytest.approx(2 / 3)


def test_reference_ties_rank_in_reverse_image_order():
    scores = np.array([[0.5], [0.5]])
    targets = np.array([[1], [0]])
    # Image 1 (negative) ranks first, as argsort(...)[::-1] puts it.
    assert average_precision_per_label(
        scores, targets, ties='reference')[0] == pytest.approx(0.5)
    assert average_precision_per_label(
        scores[::-1], targets[::-1], ties='reference')[0] == pytest.approx(1)


def test_block_ties_do_not_depend_on_image_order():
    rng = np.random.default_rng(0)
    scores = np.round(rng.random((300, 6)), 1)  # many ties
    targets = (rng.random((300, 6)) < 0.3).astype(int)
    ignore = rng.random((300, 6)) < 0.1
    perm = rng.permutation(300)
    for mode in ('voc12', 'voc07'):
        a = average_precision_per_label(scores, targets, ignore, mode)
        b = average_precision_per_label(scores[perm], targets[perm],
                                        ignore[perm], mode)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
    # Non-interpolated AP with tie blocks is scikit-learn's AP.
    ours = average_precision_per_label(scores, targets, mode='voc07')
    theirs = [
        average_precision_score(targets[:, c], scores[:, c]) for c in range(6)
    ]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_constant_predictor_scores_chance():
    targets = np.array([[1], [1], [0], [0], [0]])
    constant = np.full((5, 1), 0.7)
    for order in (slice(None), slice(None, None, -1)):
        out = multilabel_metrics(constant[order], targets[order])
        assert out['mAP'] == pytest.approx(40.0)  # the prevalence
    # The reference's rule depends on the order alone: 100 or 40 * ... .
    first = multilabel_metrics(constant, targets, ties='reference')['mAP']
    last = multilabel_metrics(constant, targets[::-1], ties='reference')['mAP']
    assert first != last and max(first, last) == pytest.approx(100.0)


def test_both_tie_rules_agree_without_ties():
    rng = np.random.default_rng(1)
    scores = rng.random((400, 5))
    targets = (rng.random((400, 5)) < 0.2).astype(int)
    ignore = rng.random((400, 5)) < 0.05
    a = multilabel_metrics(scores, targets, ignore=ignore)
    b = multilabel_metrics(scores, targets, ignore=ignore, ties='reference')
    assert a == b


def test_empty_prediction_set_is_an_error():
    with pytest.raises(ValueError, match='no predictions to evaluate'):
        multilabel_metrics(np.zeros((0, 3)), np.zeros((0, 3)))
    with pytest.raises(ValueError, match="ties must be 'block'"):
        average_precision_per_label(
            np.zeros((2, 1)), np.ones((2, 1)), ties='random')


def test_label_without_positives_counts_as_zero_and_is_reported():
    scores = np.array([[0.9, 0.2], [0.1, 0.7]])
    targets = np.array([[1, 0], [0, 0]])
    out = multilabel_metrics(scores, targets)
    assert out['AP_classwise'] == pytest.approx([100.0, 0.0])
    assert out['mAP'] == pytest.approx(50.0)
    assert out['num_labels_without_positives'] == 1


def test_ignored_image_leaves_ap_and_counts():
    scores = np.array([[0.9], [0.8]])
    targets = np.array([[0], [1]])
    ignore = np.array([[True], [False]])
    out = multilabel_metrics(scores, targets, ignore=ignore)
    assert out['mAP'] == pytest.approx(100.0)
    assert out['OP'] == pytest.approx(100.0)  # the ignored FP is not counted
    assert multilabel_metrics(scores, targets)['mAP'] == pytest.approx(50.0)


def test_never_predicted_label_has_precision_one():
    scores = np.array([[0.9, 0.1], [0.8, 0.2]])
    targets = np.array([[1, 1], [0, 0]])
    out = multilabel_metrics(scores, targets, topk=2)
    assert out['CP'] == pytest.approx(75.0)  # (1/2 + eps/eps) / 2
    assert out['CR'] == pytest.approx(50.0)  # (1 + eps/1) / 2
    assert out['CF1'] == pytest.approx(60.0)
    assert out['OP'] == pytest.approx(50.0)
    assert out['OR'] == pytest.approx(50.0)
    assert out['OF1'] == pytest.approx(50.0)


def test_topk_keeps_the_k_best_with_lower_index_on_ties():
    scores = np.array([[0.9, 0.8, 0.1], [0.6, 0.6, 0.6]])
    targets = np.array([[1, 1, 0], [0, 1, 1]])
    out = multilabel_metrics(scores, targets, topk=1)
    # Kept: image 0 -> label 0; image 1 -> label 0 (tie, lower index).
    # tp: label0 1 of pd 2; labels 1, 2 never predicted.
    assert out['OP_top1'] == pytest.approx(50.0)
    assert out['OR_top1'] == pytest.approx(25.0)
    assert out['OP'] == pytest.approx(4 / 5 * 100)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_matches_loop_implementation_with_ties_and_ignore(seed):
    rng = np.random.default_rng(seed)
    N, C = 200, 7
    scores = np.round(rng.random((N, C)), 1)  # many ties
    targets = (rng.random((N, C)) < 0.3).astype(np.int64)
    targets[:, 3] = 0  # a label without positives
    ignore = rng.random((N, C)) < 0.1
    out = multilabel_metrics(
        scores, targets, ignore=ignore, topk=3, ties='reference')
    expected, aps = reference_style(scores, targets, ignore)
    for key, value in expected.items():
        assert out[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
    np.testing.assert_allclose(out['AP_classwise'], aps, rtol=1e-12)


def test_plain_ap_equals_sklearn_without_ties():
    rng = np.random.default_rng(0)
    scores = rng.random((500, 6))
    targets = (rng.random((500, 6)) < 0.2).astype(int)
    ours = average_precision_per_label(scores, targets, mode='voc07')
    theirs = [
        average_precision_score(targets[:, c], scores[:, c]) for c in range(6)
    ]
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_accepts_tensors_and_rejects_bad_input():
    scores = torch.rand(4, 3)
    targets = torch.tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]])
    out = multilabel_metrics(scores, targets)
    assert set(out) >= {'mAP', 'CF1', 'OF1_top3', 'AP_classwise'}
    with pytest.raises(ValueError, match='only 0 and 1'):
        multilabel_metrics(scores, targets * 2)
    with pytest.raises(ValueError, match='shape'):
        multilabel_metrics(scores, targets[:, :2])
    with pytest.raises(ValueError, match="'voc12' or 'voc07'"):
        multilabel_metrics(scores, targets, ap='voc10')


def test_best_f1_thresholds_brute_force():
    from mlic.evaluation.functional import best_f1_thresholds
    rng = np.random.default_rng(5)
    scores = np.round(rng.random((60, 4)), 2).astype(np.float32)
    targets = (rng.random((60, 4)) < 0.4).astype(int)
    targets[:, 2] = 0
    found = best_f1_thresholds(scores, targets)
    for c in (0, 1, 3):

        def f1(t):
            pred = scores[:, c] >= t
            tp = (pred & (targets[:, c] == 1)).sum()
            return 2 * tp / (pred.sum() + targets[:, c].sum())

        best = max(f1(t) for t in np.unique(scores[:, c]))
        assert f1(found[c]) == pytest.approx(best)
    assert (scores[:, 2] < found[2]).all()  # never predicted
    # The per-label thresholds feed the metric directly.
    out = multilabel_metrics(scores, targets, threshold=found)
    assert out['CP'] > 0
