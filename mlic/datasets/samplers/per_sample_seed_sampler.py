from typing import Iterator

import numpy as np
from mmengine.dataset import DefaultSampler

from mlic.registry import DATA_SAMPLERS


class SeededIndex(int):
    """A dataset index that carries the seed of its sample's random
    transforms (``sample_seed``, an int in [0, 2**32)).

    It is an ``int``, so every dataset indexes with it as before; mmengine's
    ``BaseDataset.get_data_info`` stores it as ``results['sample_idx']``,
    where :class:`SeededRandomTransforms` reads the seed. Pickles (to data
    workers) with its seed.
    """

    def __new__(cls, index: int, sample_seed: int):
        obj = super().__new__(cls, index)
        obj.sample_seed = int(sample_seed)
        return obj

    def __getnewargs__(self):
        return int(self), self.sample_seed

    def __repr__(self) -> str:
        return f'SeededIndex({int(self)}, sample_seed={self.sample_seed})'


def sample_seed(seed: int, epoch: int, index: int) -> int:
    """The seed of one sample's random transforms in one epoch: a function
    of (seed, epoch, index) alone, through numpy's ``SeedSequence`` so that
    neighbouring inputs give unrelated seeds."""
    return int(
        np.random.SeedSequence([seed % 2**32, epoch,
                                index]).generate_state(1)[0])


@DATA_SAMPLERS.register_module()
class PerSampleSeedSampler(DefaultSampler):
    """mmengine's ``DefaultSampler`` (same order, padding and sharding) that
    yields :class:`SeededIndex` es: each index carries
    ``sample_seed(seed, epoch, index)``.

    Why: mmengine seeds each data worker once, from the seed, rank and worker
    id, so random augmentations depend on which worker drew a sample and on
    how many samples that worker drew before. A resumed run restarts the
    workers and therefore draws other augmentations than the uninterrupted
    run, and a run with 8 workers draws other ones than a run with 2. With
    this sampler and the random transforms inside
    :class:`SeededRandomTransforms`, a sample's augmentation depends only on
    (seed, epoch, index): resume is exact and the number of workers does not
    matter (docs/reliability.md). The runner's ``DistSamplerSeedHook`` sets
    the epoch, as for ``DefaultSampler``.
    """

    def __iter__(self) -> Iterator[SeededIndex]:
        for index in super().__iter__():
            yield SeededIndex(index, sample_seed(self.seed, self.epoch, index))
