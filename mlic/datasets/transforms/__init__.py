from .checked_load_image import (CheckedLoadImageFromFile,
                                 UnreadableImageError, image_from_array)
from .random_color_cutout import RandomColorCutout
from .reference_rand_augment import OPERATIONS, ReferenceRandAugment
from .seeded_random_transforms import SeededRandomTransforms

__all__ = [
    'CheckedLoadImageFromFile', 'UnreadableImageError', 'image_from_array',
    'RandomColorCutout', 'ReferenceRandAugment', 'OPERATIONS',
    'SeededRandomTransforms'
]
