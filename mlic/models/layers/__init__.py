from .cooccurrence_predictor import CooccurrencePredictor
from .elementwise_linear import ElementwiseLinear
from .gated_graph_encoder import GatedGraphEncoder
from .label_query_transformer import LabelQueryTransformer
from .uniform_cooccurrence import UniformCooccurrence

__all__ = [
    'CooccurrencePredictor', 'ElementwiseLinear', 'GatedGraphEncoder',
    'LabelQueryTransformer', 'UniformCooccurrence'
]
