import random
from typing import List, Union

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.dataset import Compose

from mlic.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SeededRandomTransforms(BaseTransform):
    """Run ``transforms`` with Python's, numpy's and torch's global random
    states seeded from the sample, then put the previous states back.

    The seed comes from ``results['sample_idx']``, a ``SeededIndex`` that
    :class:`PerSampleSeedSampler` yields, so the augmentation of a sample
    is a function of (seed, epoch, index): the same in a resumed run as in
    the uninterrupted one, and whatever the number of data workers. Putting
    the states back keeps the draws of the model (dropout) independent of
    the data when the pipeline runs in the main process (``num_workers=0``).

    Reused: the transforms are any registered ones, chained by mmengine's
    ``Compose``; torch's state is kept by ``torch.random.fork_rng``. mmcv's
    ``RandomApply``/``RandomChoice`` wrappers choose randomly but do not
    seed, hence this wrapper.

    Args:
        transforms (list[dict | callable]): The random transforms.

    Raises:
        TypeError: ``results['sample_idx']`` carries no seed (the sampler is
            not ``PerSampleSeedSampler``).
    """

    def __init__(self, transforms: List[Union[dict, callable]]):
        self.transforms = Compose([
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in transforms
        ])

    def transform(self, results: dict) -> dict:
        seed = getattr(results.get('sample_idx'), 'sample_seed', None)
        if seed is None:
            raise TypeError(
                'SeededRandomTransforms needs the seed that the sampler '
                "'PerSampleSeedSampler' puts on each index; this sample's "
                f"sample_idx is {results.get('sample_idx')!r}. Set "
                "train_dataloader.sampler.type='PerSampleSeedSampler', or "
                'list the random transforms in the pipeline without this '
                'wrapper.')
        python_state, numpy_state = random.getstate(), np.random.get_state()
        try:
            with torch.random.fork_rng(devices=[]):
                random.seed(seed)
                np.random.seed(seed)
                torch.manual_seed(seed)
                return self.transforms(results)
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.transforms!r})'
