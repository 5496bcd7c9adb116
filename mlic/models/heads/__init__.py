from .base_multilabel_head import BaseMultiLabelHead
from .csra_head import CSRAHead
from .ml_gcn_head import MLGCNHead, mlgcn_adjacency
from .mlic_head import MLICHead
from .query2label_head import Query2LabelHead

__all__ = [
    'BaseMultiLabelHead', 'CSRAHead', 'MLGCNHead', 'MLICHead',
    'Query2LabelHead', 'mlgcn_adjacency'
]
