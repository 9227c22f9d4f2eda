"""Add-on services, one package per AWS service.

A service moto lacks (``connections``, ``featurestore_runtime``) is built in moto's shape:
``models.py`` (a backend per account and region), ``responses.py``, ``urls.py``. A service moto
has is extended instead: its package holds the behaviour it adds, and its ``install()`` wraps
moto's operations or extends moto's responses class. Error codes live in one shared
:mod:`.exceptions`.

Every module or package directly under this one that defines ``install()`` is installed when the
local cloud starts (:func:`install_all`); ``install()`` registers routes and backend wrappers
through :mod:`sagestack.localcloud.moto` and must be idempotent.
"""

from __future__ import annotations

import importlib
import pkgutil

_installed = False


def install_all() -> list[str]:
    """Install every add-on once; returns the names of the add-on modules installed."""
    global _installed
    names = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        install = getattr(module, "install", None)
        if callable(install):
            install()
            names.append(module_info.name)
    _installed = True
    return names
