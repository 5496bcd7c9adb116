from .channels_last import enable_channels_last
from .quiet_runner import QuietRunner

__all__ = ['QuietRunner', 'enable_channels_last']
