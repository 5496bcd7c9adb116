from .channels_last import enable_channels_last
from .host_memory import keep_freed_host_memory
from .quiet_runner import QuietRunner

__all__ = ['QuietRunner', 'enable_channels_last', 'keep_freed_host_memory']
