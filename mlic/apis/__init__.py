from .inference import get_model, inference_model, init_model
from .model_zoo import list_models

__all__ = ['init_model', 'inference_model', 'get_model', 'list_models']
