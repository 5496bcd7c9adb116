from .per_sample_seed_sampler import (PerSampleSeedSampler, SeededIndex,
                                      sample_seed)

__all__ = ['PerSampleSeedSampler', 'SeededIndex', 'sample_seed']
