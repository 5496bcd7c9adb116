from mlic.evaluation.functional import per_label_thresholds
from .explain import ImageExplainer
from .inference import inference_model
from .model import (build_test_pipeline, get_model, init_model,
                    preprocess_images)
from .model_zoo import list_models
from .multilabel_inferencer import MultiLabelInferencer, list_images

__all__ = [
    'init_model', 'inference_model', 'get_model', 'list_models',
    'MultiLabelInferencer', 'list_images', 'per_label_thresholds',
    'build_test_pipeline', 'preprocess_images', 'ImageExplainer'
]
