# Copyright (c) mmir contributors. All rights reserved.
"""Let mmengine configs inherit mmir configs as ``_base_ = 'mmir::<path>'``.

mmengine 0.10.7 resolves ``pkg::path`` bases only for the packages in its
hard-coded ``MODULE2PACKAGE`` table, and it parses a config's bases before
any ``custom_imports`` run.  The installed ``mmir_scope.pth`` therefore calls
:func:`install` at interpreter start-up; nothing heavy is imported then, the
patch is applied when ``mmengine.config.config`` is first imported.

Two things are patched:

* ``MODULE2PACKAGE`` gains ``'mmir'``, so that the prefix resolves to the
  configs installed in ``mmir/.mim/configs``;
* for ``mmir::`` bases, ``Config._get_cfg_path`` returns no scope.  mmengine
  would otherwise stamp ``_scope_='mmir'`` on every inherited module dict,
  while mmir configs name their own ``default_scope`` (``mmseg`` for the
  segmentation ones): an inherited config must build exactly what the same
  config builds when run directly.
"""
import importlib.abc
import importlib.util
import sys
from types import ModuleType
from typing import Optional, Sequence

CONFIG_MODULE = 'mmengine.config.config'
PACKAGE = 'mmir'


def _patch(config_module: ModuleType) -> None:
    """Teach an imported ``mmengine.config.config`` the ``mmir`` prefix."""
    from mmengine.config.utils import MODULE2PACKAGE
    MODULE2PACKAGE.setdefault(PACKAGE, PACKAGE)
    config_cls = config_module.Config
    get_cfg_path = config_cls._get_cfg_path
    if getattr(get_cfg_path, '_mmir_patched', False):
        return

    def get_cfg_path_without_mmir_scope(cfg_path: str, filename: str):
        path, scope = get_cfg_path(cfg_path, filename)
        return path, None if scope == PACKAGE else scope

    get_cfg_path_without_mmir_scope._mmir_patched = True
    config_cls._get_cfg_path = staticmethod(get_cfg_path_without_mmir_scope)


class _ConfigModuleFinder(importlib.abc.MetaPathFinder):
    """Patches ``mmengine.config.config`` right after it is executed."""

    def find_spec(self,
                  fullname: str,
                  path: Optional[Sequence[str]],
                  target: Optional[ModuleType] = None):
        """Wrap the loader of ``mmengine.config.config``, once."""
        if fullname != CONFIG_MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module: ModuleType) -> None:
            exec_module(module)
            _patch(module)

        spec.loader.exec_module = exec_and_patch
        return spec


def install() -> None:
    """Make ``mmir::`` config paths resolve, now or when mmengine loads."""
    if CONFIG_MODULE in sys.modules:
        _patch(sys.modules[CONFIG_MODULE])
    elif not any(
            isinstance(finder, _ConfigModuleFinder)
            for finder in sys.meta_path):
        sys.meta_path.insert(0, _ConfigModuleFinder())
