"""Unknown labels (targets -1) in every loss: what each does with them
(docs/partial_labels.md)."""
import math

import pytest
import torch
from mmengine.logging import MessageHub

from mlic.models.losses import (cooccurrence_contrastive_loss,
                                multilabel_supcon_loss,
                                reference_asymmetric_loss)
from mlic.registry import MODELS

# 2 images, 4 labels: image 0 has label 0, labels 2 and 3 unknown; image 1
# has labels 1 and 2, label 0 unknown.
TARGETS = torch.tensor([[1., 0, -1, -1], [-1, 1, 1, 0]])
UNKNOWN = TARGETS < 0


def logits():
    return torch.tensor([[2.0, -1.0, 0.5, -0.3], [0.2, 1.5, -0.7, -2.0]],
                        requires_grad=True)


def bce(x, y):
    return -(
        y * torch.log(torch.sigmoid(x)) +
        (1 - y) * torch.log(1 - torch.sigmoid(x)))


def loss_and_grad(loss, x, targets=TARGETS):
    value = loss(x, targets)
    grad, = torch.autograd.grad(value, x)
    return value.detach(), grad


IGNORING = [
    dict(type='ReferenceAsymmetricLoss'),
    dict(type='ReferenceAsymmetricLoss', gamma_neg=0.0, gamma_pos=1.0),
]


@pytest.mark.parametrize('cfg', IGNORING)
def test_an_unknown_labels_score_changes_neither_loss_nor_gradient(cfg):
    loss = MODELS.build(cfg)
    assert loss.unknown_labels == 'ignore' and loss.accepts_unknown_labels
    before, grad_before = loss_and_grad(loss, logits())
    moved = logits().detach()
    moved[UNKNOWN] += torch.tensor([3.0, -5.0, 7.0])
    moved.requires_grad_(True)
    after, grad_after = loss_and_grad(loss, moved)
    assert torch.equal(before, after)
    assert torch.equal(grad_before, grad_after)
    assert torch.all(grad_after[UNKNOWN] == 0)
    assert torch.all(grad_after[~UNKNOWN] != 0)


def test_ignore_is_the_mean_over_known_labels_and_the_plain_loss_on_full():
    x = logits()
    known = ~UNKNOWN
    expected = 1000 * bce(x, TARGETS.clamp(min=0))[known].sum() / known.sum()
    loss = MODELS.build(dict(type='ReferenceAsymmetricLoss', gamma_neg=0.0))
    assert torch.allclose(loss(x, TARGETS), expected)
    full = TARGETS.clamp(min=0)
    assert torch.equal(
        reference_asymmetric_loss(x, full, unknown_labels='ignore'),
        reference_asymmetric_loss(x, full, unknown_labels='negative'))


def test_assume_negative_reads_unknown_as_negative():
    x = logits()
    negative = MODELS.build(
        dict(type='ReferenceAsymmetricLoss', unknown_labels='negative'))
    plain = MODELS.build(dict(type='ReferenceAsymmetricLoss'))
    assert torch.equal(negative(x, TARGETS), plain(x, TARGETS.clamp(min=0)))
    an = MODELS.build(dict(type='AssumeNegativeLoss'))
    expected = 1000 * bce(x, TARGETS.clamp(min=0)).mean()
    assert torch.allclose(an(x, TARGETS), expected)


def test_assume_negative_label_smoothing():
    x = logits()
    an_ls = MODELS.build(dict(type='AssumeNegativeLoss', label_smoothing=0.1))
    y = TARGETS.clamp(min=0) * 0.9 + (1 - TARGETS.clamp(min=0)) * 0.1
    assert torch.allclose(an_ls(x, TARGETS), 1000 * bce(x, y).mean())
    with pytest.raises(ValueError, match='label_smoothing'):
        MODELS.build(dict(type='AssumeNegativeLoss', label_smoothing=0.5))


def test_weak_assume_negative_weighs_unknowns_by_one_over_c_minus_one():
    x = logits()
    wan = MODELS.build(dict(type='WeakAssumeNegativeLoss'))
    weights = torch.where(UNKNOWN, 1 / 3, 1.0)
    expected = 1000 * (bce(x, TARGETS.clamp(min=0)) * weights).mean()
    assert torch.allclose(wan(x, TARGETS), expected)
    wan2 = MODELS.build(
        dict(type='WeakAssumeNegativeLoss', unknown_weight=0.5))
    weights = torch.where(UNKNOWN, 0.5, 1.0)
    expected = 1000 * (bce(x, TARGETS.clamp(min=0)) * weights).mean()
    assert torch.allclose(wan2(x, TARGETS), expected)


def test_expected_positive_regularization():
    x = logits()
    epr = MODELS.build(
        dict(
            type='ExpectedPositiveRegularizationLoss',
            expected_positives=1.5,
            reg_weight=2.0))
    known = ~UNKNOWN
    data = (bce(x, TARGETS.clamp(min=0)) * known).mean()
    k_hat = torch.sigmoid(x).sum(1).mean()
    expected = 1000 * (data + 2.0 * ((k_hat - 1.5) / 4)**2)
    assert torch.allclose(epr(x, TARGETS), expected)
    # unknown labels reach it only through the expected count
    _, grad = loss_and_grad(epr, x)
    p = torch.sigmoid(x.detach())
    reg_grad = 1000 * 2.0 * 2 * (k_hat.detach() - 1.5) / 16 * p * (1 - p) / 2
    assert torch.allclose(grad[UNKNOWN], reg_grad[UNKNOWN], atol=1e-5)


@pytest.mark.parametrize('mode', ['reject', 'correct'])
def test_large_loss_modification(mode):
    x = logits()
    ll = MODELS.build(
        dict(type='LargeLossModification', mode=mode, delta_rel=0.1))
    # outside a runner (a fresh MessageHub without an epoch) and without
    # set_epoch, the loss does not guess
    MessageHub.get_instance(f'no_epoch_{mode}')
    with pytest.raises(RuntimeError, match='needs the training epoch'):
        ll(x, TARGETS)
    an = MODELS.build(dict(type='AssumeNegativeLoss'))
    ll.set_epoch(0)
    assert torch.equal(ll(x, TARGETS), an(x, TARGETS))
    # epoch 2: ceil(0.2 * 8) = 2 of the 3 unknown labels' losses change
    ll.set_epoch(2)
    assert ll.modified_count(8, 3) == 2
    as_negative = bce(x, TARGETS.clamp(min=0)).detach()
    order = as_negative.masked_fill(~UNKNOWN,
                                    -1).flatten().argsort(descending=True)[:2]
    large = torch.zeros(8, dtype=torch.bool)
    large[order] = True
    large = large.view(2, 4)
    matrix = bce(x, TARGETS.clamp(min=0))
    if mode == 'reject':
        matrix = matrix.masked_fill(large, 0)
    else:
        matrix = torch.where(large, bce(x, torch.ones_like(x)), matrix)
    assert torch.allclose(ll(x, TARGETS), 1000 * matrix.mean())
    # never more than the unknown labels
    ll.set_epoch(100)
    assert ll.modified_count(8, 3) == 3


def llcp(num_samples=5, delta_rel=0.1):
    return MODELS.build(
        dict(
            type='LargeLossPermanentCorrection',
            num_samples=num_samples,
            num_classes=4,
            delta_rel=delta_rel))


def test_large_loss_permanent_correction_keeps_its_corrections():
    """LL-Cp: this step as LL-Ct; the corrected labels stay positive for
    those images (and only those) in later steps, where they are no longer
    candidates."""
    x = logits()
    cp = llcp()
    ct = MODELS.build(
        dict(type='LargeLossModification', mode='correct', delta_rel=0.1))
    for loss in (cp, ct):
        loss.set_epoch(0)
    idx = torch.tensor([3, 1])
    assert torch.equal(cp(x, TARGETS, sample_idx=idx), ct(x, TARGETS))
    assert not cp.corrected.any()  # epoch 0 corrects nothing
    # epoch 1: ceil(0.1 * 8) = 1 label, the largest unknown loss (as LL-Ct)
    for loss in (cp, ct):
        loss.set_epoch(1)
    assert torch.allclose(cp(x, TARGETS, sample_idx=idx), ct(x, TARGETS))
    as_negative = bce(x, TARGETS.clamp(min=0)).detach()
    first = int(as_negative.masked_fill(~UNKNOWN, -1).flatten().argmax())
    row, col = divmod(first, 4)
    expected = torch.zeros(5, 4, dtype=torch.bool)
    expected[idx[row], col] = True
    assert torch.equal(cp.corrected, expected)
    # the next step: that label is a known positive, and the one label
    # modified is the largest of the others
    known = TARGETS.clone()
    known[row, col] = 1
    assert torch.allclose(cp(x, TARGETS, sample_idx=idx), ct(x, known))
    assert int(cp.corrected.sum()) == 2
    # the same images in another order carry their own corrections
    kept = cp.corrected.clone()
    cp.eval()  # not training: nothing more is kept
    order = torch.tensor([1, 0])
    with_corrections = torch.where(kept[idx][order], 1., TARGETS[order])
    assert torch.allclose(
        cp(x[order], TARGETS[order], sample_idx=idx[order]),
        ct(x[order], with_corrections))
    assert torch.equal(cp.corrected, kept)
    # saved and resumed with the model
    state = cp.state_dict()
    assert torch.equal(state['corrected'], kept)
    again = llcp()
    again.load_state_dict(state)
    assert torch.equal(again.corrected, kept)
    with pytest.raises(ValueError, match='needs the dataset index'):
        cp(x, TARGETS)
    with pytest.raises(ValueError, match='sample_idx 5 is outside'):
        cp(x, TARGETS, sample_idx=torch.tensor([5, 0]))
    with pytest.raises(
            ValueError, match='targets have 4 labels but '
            'num_classes=3'):
        MODELS.build(
            dict(
                type='LargeLossPermanentCorrection',
                num_samples=5,
                num_classes=3))(
                    x, TARGETS, sample_idx=idx)


def test_large_loss_modification_reads_the_runners_epoch():
    hub = MessageHub.get_instance('test_large_loss_epoch')
    ll = MODELS.build(dict(type='LargeLossModification', delta_rel=0.1))
    hub.update_info('epoch', 2)  # as mmengine's RuntimeInfoHook does
    assert ll.modified_count(8, 3) == 2
    ll.set_epoch(0)  # given explicitly: it wins
    assert ll.modified_count(8, 3) == 0


def test_wrappers_need_an_elementwise_base_loss():
    with pytest.raises(TypeError, match='elementwise'):
        MODELS.build(
            dict(
                type='AssumeNegativeLoss',
                loss=dict(type='CrossEntropyLoss', use_sigmoid=True)))


def test_contrastive_and_supcon_losses_read_unknown_as_not_shared():
    torch.manual_seed(0)
    anchor, positive, negative = torch.randn(3, 2, 4, 6).unbind(0)
    as_negative = TARGETS.clamp(min=0)
    assert torch.equal(
        cooccurrence_contrastive_loss(anchor, positive, negative, TARGETS),
        cooccurrence_contrastive_loss(anchor, positive, negative, as_negative))
    embeddings = torch.randn(2, 5)
    assert torch.equal(
        multilabel_supcon_loss(embeddings, TARGETS),
        multilabel_supcon_loss(embeddings, as_negative))
    # and not as positives: two images sharing only unknown labels share
    # nothing
    both_unknown = torch.tensor([[1., 0, -1], [0, 1, -1]])
    assert multilabel_supcon_loss(embeddings, both_unknown) == 0


def test_a_loss_that_cannot_honour_unknowns_is_refused_by_the_head():
    from mmpretrain.structures import DataSample
    head = MODELS.build(
        dict(
            type='LinearMultiLabelHead',
            num_classes=4,
            in_channels=8,
            loss=dict(type='CrossEntropyLoss', use_sigmoid=True)))
    sample = DataSample().set_gt_label([0])
    sample.set_field([2], 'gt_label_unknown')
    with pytest.raises(ValueError, match='CrossEntropyLoss does not honour'):
        head.loss((torch.randn(1, 8), ), [sample])
    # full labels: the same head trains as before
    loss = head.loss((torch.randn(1, 8), ), [DataSample().set_gt_label([0])])
    assert math.isfinite(float(loss['loss'].detach()))


def role(num_samples=5):
    torch.manual_seed(0)
    return MODELS.build(
        dict(
            type='RegularizedOnlineLabelEstimationLoss',
            num_samples=num_samples,
            num_classes=4,
            expected_positives=1.5,
            reg_weight=2.0))


def assert_known_labels_written(table, rows, targets=TARGETS):
    """Rows ``rows`` of ROLE's table hold ±logit(0.995) at the known labels
    of ``targets``' images, in order."""
    known_logit = torch.tensor(math.log(0.995 / 0.005))
    for row, image_targets in zip(rows, targets):
        assert torch.allclose(table[row][image_targets == 1], known_logit)
        assert torch.allclose(table[row][image_targets == 0], -known_logit)


def test_role_writes_the_known_labels_of_an_image_when_first_seen():
    loss = role()
    start = loss.label_logits.detach().clone()
    # unknown labels start within sigmoid(±logit(0.6)), i.e. |logit| <= 0.405
    assert start.abs().max() <= math.log(0.6 / 0.4) + 1e-6
    loss(logits(), TARGETS, sample_idx=torch.tensor([3, 1]))
    table = loss.label_logits.detach()
    assert_known_labels_written(table, (3, 1))
    for row, targets in zip((3, 1), TARGETS):
        assert torch.equal(table[row][targets < 0], start[row][targets < 0])
    for row in (0, 2, 4):  # not in the batch: untouched
        assert torch.equal(table[row], start[row])
    assert loss.seen.tolist() == [False, True, False, True, False]
    # written once: a later batch does not overwrite what training moved
    loss.label_logits.data[3] = 0.25
    loss(logits(), TARGETS, sample_idx=torch.tensor([3, 1]))
    assert torch.all(loss.label_logits.detach()[3] == 0.25)


def test_role_matches_its_formula_on_a_hand_computed_case():
    loss = role()
    idx = torch.tensor([3, 1])
    loss.seen[:] = True  # keep the table as set here
    estimates = torch.tensor([[1.0, -2.0, 0.3, -0.4], [0.1, 0.7, 2.0, -1.0]])
    loss.label_logits.data[idx] = estimates
    x = logits()
    value = loss(x, TARGETS, sample_idx=idx)
    known = (~UNKNOWN).float()
    y = TARGETS.clamp(min=0)
    p, q = torch.sigmoid(x.detach()), torch.sigmoid(estimates)
    classifier = bce(x, y) * known + bce(x, q)
    estimator = bce(estimates, y) * known + bce(estimates, p)
    data = (0.5 * (classifier + estimator)).mean()
    penalty = 0.5 * 2.0 * (((p.sum(1).mean() - 1.5) / 4)**2 +
                           ((q.sum(1).mean() - 1.5) / 4)**2)
    assert torch.allclose(value, 1000 * (data + penalty))
    # each side learns from the other's detached values: the classifier's
    # gradient at an unknown label is that of its cross term and penalty
    grad, = torch.autograd.grad(value, x)
    k_hat = p.sum(1).mean()
    expected = 1000 * ((p - q) / 2 / 8 + 0.5 * 2.0 * 2 *
                       (k_hat - 1.5) / 16 * p * (1 - p) / 2)
    assert torch.allclose(grad[UNKNOWN], expected[UNKNOWN], atol=1e-4)
    # the table gets gradient only at the batch's rows
    table_grad, = torch.autograd.grad(
        loss(logits(), TARGETS, sample_idx=idx), loss.label_logits)
    assert torch.all(table_grad[idx] != 0)
    assert torch.all(table_grad[[0, 2, 4]] == 0)


def test_role_refuses_a_call_without_or_outside_its_table():
    loss = role(num_samples=3)
    with pytest.raises(ValueError, match='needs the dataset index'):
        loss(logits(), TARGETS)
    with pytest.raises(
            ValueError,
            match='sample_idx 3 is outside the table of '
            'num_samples=3'):
        loss(logits(), TARGETS, sample_idx=torch.tensor([0, 3]))
    with pytest.raises(ValueError, match='expected_positives must be'):
        MODELS.build(
            dict(
                type='RegularizedOnlineLabelEstimationLoss',
                num_samples=3,
                num_classes=4,
                expected_positives=0))


def _rank_of_two(rank, port, out_dir, body):
    """Rank ``rank`` of a two-process gloo group: saves ``body(rank)``."""
    import torch.distributed as dist
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=2)
    try:
        torch.save(body(rank), f'{out_dir}/rank{rank}.pt')
    finally:
        dist.destroy_process_group()


def run_on_two_ranks(body, tmp_path):
    """``body(rank)`` (a module-level function) in each process of a
    two-process gloo group on this machine; what each returned, by rank."""
    import socket

    import torch.multiprocessing as mp
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    mp.spawn(_rank_of_two, args=(port, str(tmp_path), body), nprocs=2)
    return [torch.load(tmp_path / f'rank{r}.pt') for r in (0, 1)]


def _role_rank(rank):
    """Each rank sees other images first; every rank's table must hold
    both ranks' known labels."""
    loss = role()  # the same seed on both ranks: the same start table
    idx = torch.tensor([[3, 1], [0, 4]][rank])
    loss(logits(), TARGETS, sample_idx=idx)
    return dict(table=loss.label_logits.detach(), seen=loss.seen)


@pytest.mark.slow
def test_role_ranks_write_each_others_known_labels(tmp_path):
    tables = run_on_two_ranks(_role_rank, tmp_path)
    assert torch.equal(tables[0]['table'], tables[1]['table'])
    assert tables[0]['seen'].tolist() == [True, True, False, True, True]
    # rank 1's images (0 and 4) got their known labels on rank 0 too
    assert_known_labels_written(tables[0]['table'], (0, 4))


def _llcp_rank(rank):
    """At epoch 1: rank 0's batch has unknown labels to correct, rank 1's
    none (it must still take part in the exchange); both tables must hold
    rank 0's corrections."""
    loss = llcp()
    loss.set_epoch(1)
    targets = TARGETS if rank == 0 else TARGETS.clamp(min=0)
    idx = torch.tensor([[3, 1], [0, 4]][rank])
    loss(logits(), targets, sample_idx=idx)
    return loss.corrected


@pytest.mark.slow
def test_llcp_ranks_keep_each_others_corrections(tmp_path):
    tables = run_on_two_ranks(_llcp_rank, tmp_path)
    assert torch.equal(tables[0], tables[1])
    # one correction, of image 3 or 1 (rank 0's), none of rank 1's images
    assert int(tables[1].sum()) == 1
    assert not tables[1][[0, 2, 4]].any()
