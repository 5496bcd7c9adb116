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
