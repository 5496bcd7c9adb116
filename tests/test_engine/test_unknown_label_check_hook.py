"""UnknownLabelCheckHook refuses unknown labels where they would be
misread: a head or loss that cannot honour them, or an evaluation."""
from types import SimpleNamespace

import pytest

from mlic.engine.hooks import UnknownLabelCheckHook
from mlic.registry import MODELS
from .stand_ins import LabelledDataset, PartlyLabelledDataset

PARTLY = PartlyLabelledDataset([[0], [1]], 'abc', [[2], []])
FULL = LabelledDataset([[0], [1]], 'abc')


def loop(dataset):
    return SimpleNamespace(dataloader=SimpleNamespace(dataset=dataset))


def runner(head, train=PARTLY, val=None, test=None):
    model = MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(
                type='ResNet', depth=18, base_channels=8, out_indices=(3, )),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(head, num_classes=3, in_channels=64)))
    return SimpleNamespace(
        model=model,
        train_loop=loop(train),
        _val_loop=None if val is None else loop(val),
        val_loop=None if val is None else loop(val),
        test_loop=None if test is None else loop(test))


def test_a_head_that_reads_unknowns_as_negatives_is_refused():
    hook = UnknownLabelCheckHook()
    mmpretrain_head = dict(type='MultiLabelLinearClsHead')
    with pytest.raises(
            ValueError,
            match=r'has 1 unknown labels, but '
            r'model.head \(MultiLabelLinearClsHead'):
        hook.before_train(runner(mmpretrain_head))
    mmpretrain_loss = dict(
        type='LinearMultiLabelHead',
        loss=dict(type='CrossEntropyLoss', use_sigmoid=True))
    with pytest.raises(ValueError, match='loss CrossEntropyLoss'):
        hook.before_train(runner(mmpretrain_loss))
    # either is fine with full labels; an mlic head and loss with unknowns
    hook.before_train(runner(mmpretrain_head, train=FULL))
    hook.before_train(runner(dict(type='LinearMultiLabelHead')))


def test_evaluation_with_unknown_labels_is_refused():
    hook = UnknownLabelCheckHook()
    head = dict(type='LinearMultiLabelHead')
    with pytest.raises(ValueError, match='the val dataset .* has 1 unknown'):
        hook.before_train(runner(head, val=PARTLY))
    with pytest.raises(ValueError, match='the test dataset .* has 1 unknown'):
        hook.before_test(runner(head, test=PARTLY))
    hook.before_test(runner(head, test=FULL))
