# Copyright (c) mmir contributors. All rights reserved.
"""Registration of mmir's modules in the mmir scope."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every mmir module so that it is in its registry.

    It imports the ``locations`` of every registry of
    :mod:`mmir.registry` (datasets, transforms, models, hooks, ...).

    The registries in :mod:`mmir.registry` already import their
    ``locations`` when first used; calling this is only needed to list
    modules or to make ``mmir`` the default scope.

    Args:
        init_default_scope (bool): Whether to make ``mmir`` the current
            default scope. Defaults to True.
    """
    from mmengine.registry import Registry

    from mmir import registry
    for node in vars(registry).values():
        if isinstance(node, Registry):
            node.import_from_location()

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('mmir'):
        DefaultScope.get_instance('mmir', scope_name='mmir')
        return
    if current.scope_name != 'mmir':
        warnings.warn(f'The current default scope "{current.scope_name}" '
                      'is not "mmir"; a new scope "mmir-<time>" is created '
                      'and made current.',
                      stacklevel=2)
        name = f'mmir-{datetime.datetime.now()}'
        DefaultScope.get_instance(name, scope_name='mmir')
