"""Standard-library conveniences, made cheap enough for per-certificate use.

CertView derives dozens of values and builds dozens of small records for every certificate, so
what the standard library spends on generality shows up in the lint rate:

- `functools.cached_property` takes a lock on every first read (Python 3.11); `derived` is the
  same non-data descriptor without it. The engine reads a CertView from one thread.
- A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`;
  `quick_init` stores through the slots' own descriptors instead: same signature and defaults,
  same frozen instances (assignment still raises, equality and hashing unchanged).
- `BoundedCache` is the bounded cache of readings by encoding that the engine keeps across
  certificates (names, extensions, profiles, shared results).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class derived(Generic[T]):  # noqa: N801 - used like the decorator it replaces
    """`functools.cached_property` without the lock: computed on first read, then an instance
    attribute. Exceptions are not cached (the next read computes again), as there."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__
        self.__module__ = func.__module__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attrname = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> derived[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | derived[T]:
        if instance is None:
            return self
        value = self.func(instance)
        instance.__dict__[self.attrname] = value
        return value


def quick_init(cls: type[T]) -> type[T]:
    """Decorate (outside @dataclass) a frozen dataclass with slots and plain defaults."""
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    if not params.frozen or "__slots__" not in cls.__dict__ or "__post_init__" in cls.__dict__:
        raise TypeError(f"{cls.__name__}: quick_init is for frozen, slotted dataclasses")
    namespace: dict[str, Any] = {}
    args, body = [], []
    for i, f in enumerate(dataclasses.fields(cls)):
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: quick_init takes plain defaults only")
        namespace[f"_set{i}"] = getattr(cls, f.name).__set__  # the slot's member descriptor
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            namespace[f"_default{i}"] = f.default
            args.append(f"{f.name}=_default{i}")
        body.append(f"    _set{i}(self, {f.name})")
    source = f"def __init__(self, {', '.join(args)}):\n" + "\n".join(body or ["    pass"])
    exec(source, namespace)  # noqa: S102 - our own field names, as dataclasses itself does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[misc]
    return cls


K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """Values kept by key (an encoding) across certificates, at most `most` of them: when full it
    starts over, so memory stays bounded whatever the population. Read it as a dict."""

    __slots__ = ("most",)

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most

    def keep(self, key: K, value: V) -> V:
        if len(self) >= self.most:
            self.clear()
        self[key] = value
        return value
