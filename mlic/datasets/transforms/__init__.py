from .random_color_cutout import RandomColorCutout
from .reference_rand_augment import OPERATIONS, ReferenceRandAugment

__all__ = ['RandomColorCutout', 'ReferenceRandAugment', 'OPERATIONS']
