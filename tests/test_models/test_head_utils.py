"""multilabel_targets: from gt_score or gt_label, with named range errors."""
import pytest
import torch
from mmpretrain.structures import DataSample

from mlic.models.utils import multilabel_targets


def test_targets_from_labels_and_from_scores_agree():
    labels = [DataSample().set_gt_label(lab) for lab in ([0, 2], [], [1])]
    expected = torch.tensor([[1., 0, 1], [0, 0, 0], [0, 1, 0]])
    assert torch.equal(multilabel_targets(labels, 3, 'cpu'), expected)
    scores = [DataSample().set_gt_score(row) for row in expected.long()]
    got = multilabel_targets(scores, 3, 'cpu')
    assert got.dtype == torch.float32 and torch.equal(got, expected)


def test_out_of_range_labels_and_widths_are_named():
    with pytest.raises(
            ValueError, match='gt_label of 3 is out of range '
            'for num_classes=3'):
        multilabel_targets([DataSample().set_gt_label([3])], 3, 'cpu')
    with pytest.raises(
            ValueError,
            match='targets have 4 labels but the head '
            'has num_classes=3'):
        multilabel_targets(
            [DataSample().set_gt_score(torch.tensor([0, 1, 0, 0]))], 3, 'cpu')


def test_unknown_labels_become_minus_one_and_clashes_are_named():
    first = DataSample().set_gt_label([0])
    first.set_field([2, 3], 'gt_label_unknown')
    second = DataSample().set_gt_label([1, 3])
    targets = multilabel_targets([first, second], 4, torch.device('cpu'))
    assert torch.equal(targets, torch.tensor([[1., 0, -1, -1], [0, 1, 0, 1]]))
    # the same through gt_score (to_onehot in the data preprocessor)
    for sample, row in zip((first, second), targets):
        sample.set_gt_score(row.clamp(min=0))
    assert torch.equal(
        multilabel_targets([first, second], 4, torch.device('cpu')), targets)
    clash = DataSample().set_gt_label([2])
    clash.set_field([2], 'gt_label_unknown')
    with pytest.raises(
            ValueError,
            match='label 2 of image 1 in the batch '
            'is both positive and unknown'):
        multilabel_targets([DataSample().set_gt_label([1]), clash], 4,
                           torch.device('cpu'))
    bad = DataSample().set_gt_label([0])
    bad.set_field([7], 'gt_label_unknown')
    with pytest.raises(ValueError, match='gt_label_unknown of 7 is out'):
        multilabel_targets([bad], 4, torch.device('cpu'))
