# Registers mmpretrain's types in the parent registries mlic falls back to.
import mmpretrain.datasets  # noqa: F401

from .label_list_dataset import LabelListDataset
from .mscoco import MSCOCO
from .multi_digits import MultiDigits
from .multi_glyphs import MultiGlyphs
from .nuswide import NUSWIDE
from .partial_label_dataset import PartialLabelDataset
from .samplers import PerSampleSeedSampler, SeededIndex
from .single_glyphs import SingleGlyphs
from .transforms import (RandomColorCutout, ReferenceRandAugment,
                         SeededRandomTransforms)
from .vg500 import VG500
from .voc2007 import VOC2007

__all__ = [
    'LabelListDataset', 'MSCOCO', 'MultiDigits', 'MultiGlyphs', 'NUSWIDE',
    'PartialLabelDataset', 'SingleGlyphs', 'VG500', 'VOC2007',
    'RandomColorCutout', 'ReferenceRandAugment', 'SeededRandomTransforms',
    'PerSampleSeedSampler', 'SeededIndex'
]
