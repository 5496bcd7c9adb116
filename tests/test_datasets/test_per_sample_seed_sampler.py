"""PerSampleSeedSampler: DefaultSampler's order, one seed per (seed, epoch,
index)."""
import pickle

from mmengine.dataset import DefaultSampler

from mlic.datasets import PerSampleSeedSampler, SeededIndex
from mlic.datasets.samplers import sample_seed


def test_sampler_keeps_default_order_and_seeds_each_index():
    data = list(range(10))
    plain = DefaultSampler(data, shuffle=True, seed=7)
    seeded = PerSampleSeedSampler(data, shuffle=True, seed=7)
    for epoch in (0, 3):
        plain.set_epoch(epoch)
        seeded.set_epoch(epoch)
        indices = list(seeded)
        assert [int(i) for i in indices] == list(plain)
        assert all(type(i) is SeededIndex for i in indices)
        assert [i.sample_seed for i in indices
                ] == [sample_seed(7, epoch, int(i)) for i in indices]
    seeds = {sample_seed(7, e, i) for e in range(3) for i in range(10)}
    assert len(seeds) == 30  # unrelated seeds for every (epoch, index)
    index = SeededIndex(4, 123)
    copy = pickle.loads(pickle.dumps([index]))[0]
    assert copy == 4 and copy.sample_seed == 123 and [0, 1, 2, 3, 4][copy]
