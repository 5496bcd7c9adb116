from .inference import inference_model, init_model
from .model_zoo import get_model, list_models

__all__ = ['init_model', 'inference_model', 'get_model', 'list_models']
