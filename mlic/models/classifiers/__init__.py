from .mlic_classifier import MLICClassifier

__all__ = ['MLICClassifier']
