"""Behaviour added around moto's own methods: backend operations, model methods, and reset."""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from typing import Any

from moto.core.base_backend import BackendDict

from sagestack.localcloud.moto.backends import backend

# wrapper(original, backend, *args, **kwargs) -> result; it calls original(*args, **kwargs).
Wrapper = Callable[..., Any]
_WRAPPED_MARKER = "__sagestack_wrappers__"


def wrap_backend_operation(service: str, operation: str, wrapper: Wrapper) -> None:
    """Run ``wrapper`` around ``operation`` of ``service``'s backend class, in every region.

    ``wrapper(original, backend, *args, **kwargs)`` must call ``original(*args, **kwargs)`` and
    return its result. Wrappers stack in registration order (the first registered is outermost);
    registering the same wrapper twice is a no-op, so installing add-ons is idempotent.
    """
    _wrap(type(backend(service)), operation, wrapper)


def _wrap(owner: type, operation: str, wrapper: Wrapper) -> None:
    current = getattr(owner, operation)
    wrappers: list[Wrapper] = getattr(current, _WRAPPED_MARKER, None) or []
    if wrapper in wrappers:
        return
    original = getattr(current, "__wrapped__", current)
    wrappers = [*wrappers, wrapper]

    @functools.wraps(original)
    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        def call(index: int, *a: Any, **kw: Any) -> Any:
            if index == len(wrappers):
                return original(self, *a, **kw)
            inner = functools.partial(call, index + 1)
            return wrappers[index](inner, self, *a, **kw)

        return call(0, *args, **kwargs)

    setattr(wrapped, _WRAPPED_MARKER, wrappers)
    setattr(owner, operation, wrapped)


def call_arguments(instance: Any, method: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    """A wrapper's ``*args, **kwargs`` by parameter name, as moto's ``method`` declares them."""
    signature = inspect.signature(getattr(type(instance), method))
    bound = signature.bind(instance, *args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def wrap_model_method(service: str, class_name: str, method: str, wrapper: Wrapper) -> None:
    """Like :func:`wrap_backend_operation`, for a model class of ``moto.<service>.models``.

    ``wrapper(original, instance, *args, **kwargs)``; e.g. ``Rule.send_to_targets`` of events.
    """
    models = importlib.import_module(f"moto.{service}.models")
    _wrap(getattr(models, class_name), method, wrapper)


def wrap_responses_method(service: str, method: str, wrapper: Wrapper) -> None:
    """Like :func:`wrap_backend_operation`, for a method of moto's responses class of a service
    (request parsing: ``wrapper(original, response, *args, **kwargs)``)."""
    from sagestack.localcloud.moto.responses import moto_responses_class

    _wrap(moto_responses_class(service), method, wrapper)


_RESET_LISTENERS: list[Callable[[], None]] = []
_BEFORE_RESET_LISTENERS: list[Callable[[], None]] = []


def on_reset(listener: Callable[[], None], *, before: bool = False) -> None:
    """Run ``listener`` after every reset of moto's backends (``/moto-api/reset`` included), so
    records kept outside backends (delivery logs) do not outlive the resources they describe;
    with ``before=True``, ahead of the reset too, so that work still running (a job, a pipeline
    execution) stops before it could write into the state that follows."""
    listeners = _BEFORE_RESET_LISTENERS if before else _RESET_LISTENERS
    if listener not in listeners:
        listeners.append(listener)
    original = BackendDict.__dict__["reset"].__func__
    if getattr(original, _WRAPPED_MARKER, False):
        return

    def reset(cls: type[BackendDict]) -> None:
        for before_listener in list(_BEFORE_RESET_LISTENERS):
            before_listener()
        original(cls)
        for reset_listener in list(_RESET_LISTENERS):
            reset_listener()

    setattr(reset, _WRAPPED_MARKER, True)
    BackendDict.reset = classmethod(reset)  # type: ignore[method-assign,assignment]
