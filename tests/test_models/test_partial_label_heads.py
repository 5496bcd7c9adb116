"""Heads under unknown labels: the baseline's linear head matches
mmpretrain's, MLIC's graph views and diagnostics use known labels only,
and every head's loss ignores an unknown label (docs/partial_labels.md)."""
import pytest
import torch
from mmpretrain.structures import DataSample

from mlic.models.heads import MLICHead
from mlic.models.heads.graph_diagnostics import graph_diagnostics
from mlic.registry import MODELS

BACKBONE = dict(type='ResNet', depth=18, base_channels=8, out_indices=(3, ))


def samples(labels, unknown):
    out = []
    for lab, unk in zip(labels, unknown):
        sample = DataSample().set_gt_label(lab)
        if unk:
            sample.set_field(unk, 'gt_label_unknown')
        out.append(sample)
    return out


def test_linear_head_is_mmpretrains_with_the_same_seed():
    heads = []
    for head_type in ('LinearMultiLabelHead', 'MultiLabelLinearClsHead'):
        torch.manual_seed(0)
        head = MODELS.build(
            dict(
                type=head_type,
                num_classes=5,
                in_channels=16,
                loss=dict(type='ReferenceAsymmetricLoss')))
        head.init_weights()
        heads.append(head)
    ours, theirs = heads
    assert ours.state_dict().keys() == theirs.state_dict().keys()
    for key, value in ours.state_dict().items():
        assert torch.equal(value, theirs.state_dict()[key])
    feats = (torch.randn(3, 16), )
    batch = samples([[0, 1], [2], [4]], [None] * 3)
    assert torch.equal(
        ours.loss(feats, batch)['loss'],
        theirs.loss(feats, batch)['loss'])


def test_mlic_views_leave_unknown_labels_out():
    adjacency = torch.rand(1, 4, 4)
    targets = torch.tensor([[1., 1, -1, 0]])
    positive, negative = MLICHead.view_adjacencies(adjacency, targets)
    keep_positive = torch.zeros(4, 4)
    keep_positive[:2, :2] = 1
    keep_negative = torch.ones(4, 4) - keep_positive
    keep_negative[2, :] = keep_negative[:, 2] = 0
    assert torch.equal(positive[0], adjacency[0] * keep_positive)
    assert torch.equal(negative[0], adjacency[0] * keep_negative)
    # full labels: the paper's views, A (1 - y yT) for the negative
    full = torch.tensor([[1., 1, 0, 0]])
    _, negative = MLICHead.view_adjacencies(adjacency, full)
    assert torch.equal(negative[0], adjacency[0] * (1 - keep_positive))


def test_graph_diagnostics_count_unknown_labels_as_neither():
    adjacency = torch.full((1, 3, 3), 0.1)
    adjacency[0, 0, 2] = 0.9  # to the unknown label
    out = graph_diagnostics(adjacency, torch.tensor([[1., 0, -1]]))
    assert torch.isclose(out['graph/present_absent'], torch.tensor(0.1))


HEADS = [
    dict(type='LinearMultiLabelHead'),
    dict(type='CSRAHead', num_heads=1, lam=0.1),
    dict(type='MLGCNHead', embed_dims=16, hidden_dims=32),
    dict(type='Query2LabelHead', num_heads=4, ffn_dim=32),
    dict(
        type='MLICHead',
        transformer=dict(
            type='LabelQueryTransformer', num_heads=4, ffn_dim=32,
            dropout=0.0)),
]


@pytest.mark.parametrize('head', HEADS, ids=lambda h: h['type'])
def test_every_heads_loss_ignores_an_unknown_labels_score(head):
    """The loss and its gradient do not change when the score of an
    unknown label changes: the head's logits are shifted at that label by a
    hook on the forward."""
    torch.manual_seed(0)
    neck = dict(type='GlobalAveragePooling') if head['type'] in (
        'LinearMultiLabelHead', ) else None
    model = MODELS.build(
        dict(
            type='MLICClassifier',
            backbone=BACKBONE,
            neck=neck,
            head=dict(
                head,
                num_classes=5,
                in_channels=64,
                loss=dict(type='ReferenceAsymmetricLoss'))))
    if head['type'] == 'MLGCNHead':
        model.head.set_label_statistics(
            torch.ones(5, 5), torch.full((5, ), 2.0))
    model.eval()  # no dropout, frozen BatchNorm statistics
    x = torch.randn(2, 3, 64, 64)
    batch = samples([[0, 1], [3]], [[2, 4], None])
    unknown = torch.tensor([[0, 0, 1, 0, 1], [0, 0, 0, 0, 0]]).bool()
    # the module whose output is the logits (MLIC's loss runs its parts,
    # not its own forward)
    scorer = getattr(model.head, 'classifier', model.head)

    def run(shift):
        handle = scorer.register_forward_hook(
            lambda module, args, logits: logits + shift * unknown)
        model.zero_grad()
        losses = model.loss(x, batch)
        handle.remove()
        total = sum(v for k, v in losses.items() if 'loss' in k)
        total.backward()
        grads = [
            p.grad.clone() for p in model.parameters() if p.grad is not None
        ]
        return total.detach(), grads

    before, grads_before = run(0.0)
    after, grads_after = run(5.0)
    assert torch.equal(before, after)
    assert all(torch.equal(a, b) for a, b in zip(grads_before, grads_after))
    # the shift does reach a known label's loss (the check can fail)
    model.eval()
    unknown = torch.tensor([[1, 0, 0, 0, 0], [0, 0, 0, 0, 0]]).bool()
    moved, _ = run(5.0)
    assert not torch.equal(before, moved)


@pytest.mark.parametrize('head', ['LinearMultiLabelHead', 'MLICHead'])
def test_heads_pass_the_batchs_dataset_indices_to_role(head):
    """ROLE reads the rows of the batch's images from ``sample_idx``; a data
    sample without it is refused with the reason."""
    torch.manual_seed(0)
    cfg = next(h for h in HEADS if h['type'] == head)
    model = MODELS.build(
        dict(
            type='MLICClassifier',
            backbone=BACKBONE,
            neck=dict(type='GlobalAveragePooling')
            if head == 'LinearMultiLabelHead' else None,
            head=dict(
                cfg,
                num_classes=5,
                in_channels=64,
                loss=dict(
                    type='RegularizedOnlineLabelEstimationLoss',
                    num_samples=10,
                    num_classes=5,
                    expected_positives=2.0))))
    batch = samples([[0, 1], [3]], [[2, 4], None])
    for sample, idx in zip(batch, (7, 2)):
        sample.set_metainfo(dict(sample_idx=idx))
    losses = model.loss(torch.randn(2, 3, 64, 64), batch)
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    table = model.head.loss_module.label_logits
    assert model.head.loss_module.seen.nonzero().flatten().tolist() == [2, 7]
    assert table.grad[[2, 7]].abs().sum(1).gt(0).all()
    assert table.grad[[0, 1, 3, 4, 5, 6, 8, 9]].eq(0).all()
    del batch[1].sample_idx
    with pytest.raises(
            ValueError, match='sample 1 of the batch has no '
            'sample_idx'):
        model.loss(torch.randn(2, 3, 64, 64), batch)
