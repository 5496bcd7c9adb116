"""LabelCooccurrenceHook and NumClassCheckHook, on stand-in runners."""
from types import SimpleNamespace

import pytest
import torch

from mlic.engine.hooks import (LabelCooccurrenceHook, NumClassCheckHook,
                               dataset_cooccurrence)
from mlic.models.heads import mlgcn_adjacency
from mlic.registry import MODELS


class LabelledDataset:
    """Only what the hooks read: labels per image and the class names."""

    def __init__(self, labels, classes):
        self.labels = labels
        self.metainfo = dict(classes=classes)

    def __len__(self):
        return len(self.labels)

    def get_cat_ids(self, i):
        return self.labels[i]


LABELS = [[0, 1], [1], [0, 1, 2], [], [2]]


def test_dataset_cooccurrence_counts_pairs_and_labels():
    cooc, counts = dataset_cooccurrence(LabelledDataset(LABELS, 'abc'), 3)
    assert torch.equal(cooc, torch.tensor([[2., 2, 1], [2, 3, 1], [1, 1, 2]]))
    assert torch.equal(counts, torch.tensor([2., 3, 2]))
    assert cooc.dtype == counts.dtype == torch.float32


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


def runner_with(num_classes, train=3, val=3, test=3):

    def loop(n):
        if n is None:
            return None
        return SimpleNamespace(
            dataloader=SimpleNamespace(
                dataset=LabelledDataset([], [f'c{i}' for i in range(n)])))

    return SimpleNamespace(
        model=SimpleNamespace(num_classes=num_classes),
        train_loop=loop(train),
        val_loop=loop(val),
        _val_loop=loop(val),
        test_loop=loop(test))


def test_num_class_check_hook_passes_matching_datasets():
    hook = NumClassCheckHook()
    hook.before_train(runner_with(3))
    hook.before_test(runner_with(3))
    hook.before_train(runner_with(3, val=None))


@pytest.mark.parametrize('stage,counts,message', [
    ('train', dict(train=5), 'the train dataset LabelledDataset has 5 '
     'classes but the model has num_classes=3'),
    ('train', dict(val=4), 'the val dataset LabelledDataset has 4'),
    ('test', dict(test=2), 'the test dataset LabelledDataset has 2'),
])
def test_num_class_check_hook_names_the_mismatch(stage, counts, message):
    hook = NumClassCheckHook()
    call = hook.before_train if stage == 'train' else hook.before_test
    with pytest.raises(ValueError, match=message) as error:
        call(runner_with(3, **counts))
    wanted = next(iter(counts.values()))
    assert f'model.head.num_classes={wanted}' in str(error.value)


def test_num_class_check_hook_reads_the_head_when_the_model_has_none():
    runner = runner_with(3, train=4, val=4)
    runner.model = SimpleNamespace(head=SimpleNamespace(num_classes=3))
    with pytest.raises(ValueError, match='num_classes=3'):
        NumClassCheckHook().before_train(runner)
    runner.model = SimpleNamespace(head=SimpleNamespace(num_classes=4))
    NumClassCheckHook().before_train(runner)  # matches: no error
