"""Registration of every mlic component (the package's top layer).

It lives at the package root, not in ``mlic.utils`` as in mmpretrain,
because it imports every sub-package: ``mlic.utils`` is the bottom layer
that the others import, and may import none of them back.
"""
import datetime
import warnings

from mmengine.registry import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every mlic module so its components are registered.

    Args:
        init_default_scope (bool): Also make ``'mlic'`` the default scope, so
            registries resolve mlic components first, then mmpretrain's and
            mmengine's. Defaults to True.
    """
    import mlic.datasets  # noqa: F401
    import mlic.engine  # noqa: F401
    import mlic.evaluation  # noqa: F401
    import mlic.models  # noqa: F401
    import mlic.visualization  # noqa: F401

    if not init_default_scope:
        return
    current_scope = DefaultScope.get_current_instance()
    if current_scope is None:
        DefaultScope.get_instance('mlic', scope_name='mlic')
    elif current_scope.scope_name != 'mlic':
        warnings.warn(f'The current default scope '
                      f'"{current_scope.scope_name}" is not "mlic"; '
                      '`register_all_modules` switches it to "mlic".')
        # A new instance name is needed because mmengine keeps instances.
        new_name = f'mlic-{datetime.datetime.now()}'
        DefaultScope.get_instance(new_name, scope_name='mlic')
