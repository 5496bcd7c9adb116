from .quiet_runner import QuietRunner

__all__ = ['QuietRunner']
