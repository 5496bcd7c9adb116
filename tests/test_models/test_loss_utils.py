"""check_loss_args: bad weights and gammas are refused by name; zero is
allowed. present_label_slots: the slot layout the contrastive loss and the
MLIC head's views share."""
import pytest
import torch

from mlic.models.utils import present_label_slots


@pytest.mark.parametrize('cfg,message', [
    (dict(type='ReferenceAsymmetricLoss', gamma_neg=-1.0),
     r'ReferenceAsymmetricLoss: gamma_neg must be a finite number >= 0, '
     r'got -1.0'),
    (dict(type='ReferenceAsymmetricLoss',
          gamma_pos=float('nan')), 'gamma_pos must be a finite number'),
    (dict(type='ReferenceAsymmetricLoss', loss_weight=-1000.0),
     'loss_weight must be a finite number >= 0, got -1000.0'),
    (dict(type='CooccurrenceContrastiveLoss',
          loss_weight=-1.0), 'CooccurrenceContrastiveLoss: loss_weight must'),
    (dict(type='CooccurrenceContrastiveLoss',
          tau=0.0), r'tau must be a finite number > 0, got 0.0'),
    (dict(type='MultiLabelSupConLoss', tau=-0.1), 'MultiLabelSupConLoss: tau'),
])
def test_bad_loss_arguments_are_refused_by_name(cfg, message):
    from mlic.registry import MODELS
    with pytest.raises(ValueError, match=message):
        MODELS.build(cfg)


def test_zero_weights_and_gammas_are_allowed():
    from mlic.registry import MODELS
    MODELS.build(
        dict(type='ReferenceAsymmetricLoss', gamma_neg=0.0, gamma_pos=0.0))
    MODELS.build(dict(type='CooccurrenceContrastiveLoss', loss_weight=0.0))


def test_present_label_slots_put_present_labels_first_in_label_order():
    targets = torch.tensor([[0., 1, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0]])
    rows, valid = present_label_slots(targets)
    assert rows.tolist() == [[1, 3], [0, 1], [0, 1]]
    assert valid.tolist() == [[True, True], [False, False], [True, False]]
    rows, valid = present_label_slots(torch.zeros(2, 3))
    assert rows.shape == valid.shape == (2, 0)
