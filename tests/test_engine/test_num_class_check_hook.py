"""NumClassCheckHook on stand-in runners."""
from types import SimpleNamespace

import pytest

from mlic.engine.hooks import NumClassCheckHook
from .stand_ins import LabelledDataset


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
