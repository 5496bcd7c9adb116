"""Independent re-implementations that tests and developer benchmarks
compare mlic against. Nothing in the library imports this package."""
from .reference_mlic import (GatedGraphSixLinear, PerLabelScorer,
                             ReferenceStyleMLIC, ResNetTrunk)

__all__ = [
    'GatedGraphSixLinear', 'PerLabelScorer', 'ReferenceStyleMLIC',
    'ResNetTrunk'
]
