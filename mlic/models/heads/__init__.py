from .base_multilabel_head import BaseMultiLabelHead
from .csra_head import CSRAHead
from .linear_multilabel_head import LinearMultiLabelHead
from .ml_gcn_head import MLGCNHead, mlgcn_adjacency
from .mlic_head import MLICHead
from .query2label_head import Query2LabelHead

__all__ = [
    'BaseMultiLabelHead', 'CSRAHead', 'LinearMultiLabelHead', 'MLGCNHead',
    'MLICHead', 'Query2LabelHead', 'mlgcn_adjacency'
]
