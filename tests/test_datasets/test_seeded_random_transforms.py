"""SeededRandomTransforms under PerSampleSeedSampler: a sample's
augmentation is a function of (seed, epoch, index), whatever the workers."""
import numpy as np
import pytest
import torch
from mmengine.dataset import DefaultSampler, pseudo_collate
from torch.utils.data import DataLoader

from mlic.datasets import MultiDigits, PerSampleSeedSampler, SeededIndex

RANDOM_STEPS = [
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomColorCutout', scale=0.5, prob=0.5),
    dict(type='ReferenceRandAugment', num_ops=2, prob=0.5),
]


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('data') / 'multidigits'
    MultiDigits(data_root=str(root), num_train=12, num_test=4)
    return str(root)


def dataset(data_root, seeded=True):
    steps = [dict(type='SeededRandomTransforms', transforms=RANDOM_STEPS)
             ] if seeded else RANDOM_STEPS
    return MultiDigits(
        data_root=data_root,
        num_train=12,
        num_test=4,
        pipeline=[
            dict(type='CheckedLoadImageFromFile'), *steps,
            dict(type='PackInputs')
        ])


def images(loader, epoch):
    loader.sampler.set_epoch(epoch)
    out = {}
    for batch in loader:
        for img, sample in zip(batch['inputs'], batch['data_samples']):
            out[int(sample.sample_idx)] = img
    return out


def test_augmentations_do_not_depend_on_the_workers(data_root):

    def loader(workers):
        return DataLoader(
            dataset(data_root),
            batch_size=4,
            sampler=PerSampleSeedSampler(range(12), shuffle=True, seed=0),
            num_workers=workers,
            collate_fn=pseudo_collate)

    plain = images(loader(0), epoch=0)
    with_workers = images(loader(2), epoch=0)
    assert plain.keys() == with_workers.keys() == set(range(12))
    for i in plain:
        assert torch.equal(plain[i], with_workers[i]), i
    next_epoch = images(loader(2), epoch=1)
    assert sum(not torch.equal(plain[i], next_epoch[i]) for i in plain) >= 6


def test_main_process_random_state_is_left_alone(data_root):
    np.random.seed(1)
    torch.manual_seed(1)
    expected = np.random.rand(), torch.rand(1)
    np.random.seed(1)
    torch.manual_seed(1)
    data = dataset(data_root)
    data[SeededIndex(0, 5)]
    data[SeededIndex(1, 6)]
    assert (np.random.rand(), torch.rand(1)) == expected


def test_unseeded_index_gets_an_error_naming_the_sampler(data_root):
    with pytest.raises(TypeError, match='PerSampleSeedSampler'):
        dataset(data_root)[0]


def test_without_seeding_workers_change_the_augmentations(data_root):
    """The control: the plain pipeline under DefaultSampler draws from each
    worker's stream, so 0 and 2 workers give different images."""

    def loader(workers):
        return DataLoader(
            dataset(data_root, seeded=False),
            batch_size=4,
            sampler=DefaultSampler(range(12), shuffle=True, seed=0),
            num_workers=workers,
            collate_fn=pseudo_collate,
            worker_init_fn=lambda w: np.random.seed(100 + w))

    torch.manual_seed(0)
    np.random.seed(0)
    plain = images(loader(0), epoch=0)
    with_workers = images(loader(2), epoch=0)
    assert any(not torch.equal(plain[i], with_workers[i]) for i in plain)
