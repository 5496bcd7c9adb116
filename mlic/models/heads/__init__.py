from .mlic_head import MLICHead

__all__ = ['MLICHead']
