from .cooccurrence_predictor import CooccurrencePredictor
from .elementwise_linear import ElementwiseLinear
from .gated_graph_encoder import GatedGraphEncoder
from .label_query_transformer import LabelQueryTransformer

__all__ = [
    'CooccurrencePredictor', 'ElementwiseLinear', 'GatedGraphEncoder',
    'LabelQueryTransformer'
]
