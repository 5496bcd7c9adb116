"""LabelCooccurrenceHook and dataset_cooccurrence on stand-in runners."""
from types import SimpleNamespace

import pytest
import torch

from mlic.engine.hooks import LabelCooccurrenceHook, dataset_cooccurrence
from mlic.models.heads import mlgcn_adjacency
from mlic.registry import MODELS
from .stand_ins import LabelledDataset, PartlyLabelledDataset

LABELS = [[0, 1], [1], [0, 1, 2], [], [2]]


def test_dataset_cooccurrence_counts_pairs_and_labels():
    cooc, counts = dataset_cooccurrence(LabelledDataset(LABELS, 'abc'), 3)
    assert torch.equal(cooc, torch.tensor([[2., 2, 1], [2, 3, 1], [1, 1, 2]]))
    # full labels: every row's denominators are the row label's count
    assert torch.equal(counts,
                       torch.tensor([2., 3, 2]).unsqueeze(1).expand(3, 3))
    assert cooc.dtype == counts.dtype == torch.float32


def test_dataset_cooccurrence_counts_known_labels_only():
    # image 2 does not know label 1: P(1 | 0) is 1 over the images that know
    unknown = [[], [], [1], [], []]
    labels = [[0, 1], [1], [0, 2], [], [2]]
    cooc, counts = dataset_cooccurrence(
        PartlyLabelledDataset(labels, 'abc', unknown), 3)
    assert cooc[0, 1] == 1 and counts[0, 1] == 1 and counts[0, 2] == 2
    # at threshold 0.6 the edge 0 -> 1 exists over known labels (1/1) and
    # not when the unknown label is counted as absent (1/2)
    known = mlgcn_adjacency(cooc, counts, threshold=0.6)
    biased = mlgcn_adjacency(cooc, cooc.diag(), threshold=0.6)
    assert known[1, 0] > 0 and biased[1, 0] == 0


def test_label_cooccurrence_hook_sets_the_graph_from_training_labels():
    model = MODELS.build(
        dict(
            type='MLICClassifier',
            backbone=dict(
                type='ResNet', depth=18, base_channels=8, out_indices=(3, )),
            head=dict(
                type='MLGCNHead', num_classes=3, embed_dims=8, hidden_dims=8)))
    runner = SimpleNamespace(
        model=model,
        train_dataloader=SimpleNamespace(
            dataset=LabelledDataset(LABELS, 'abc')))
    assert not bool(model.head.adjacency_ready)
    LabelCooccurrenceHook().before_train(runner)
    expected = mlgcn_adjacency(
        torch.tensor([[2., 2, 1], [2, 3, 1], [1, 1, 2]]),
        torch.tensor([2., 3, 2]), model.head.threshold, model.head.reweight)
    assert torch.allclose(model.head.adjacency, expected)
    assert bool(model.head.adjacency_ready)


def test_label_cooccurrence_hook_refuses_a_head_without_a_graph():
    runner = SimpleNamespace(
        model=SimpleNamespace(head=torch.nn.Linear(2, 3)),
        train_dataloader=SimpleNamespace(
            dataset=LabelledDataset(LABELS, 'abc')))
    with pytest.raises(TypeError, match='Linear has no set_label_statistics'):
        LabelCooccurrenceHook().before_train(runner)
