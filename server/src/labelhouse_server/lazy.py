"""Modules imported on first use, not when the server starts (issue 16: start-up time and idle memory).

``from ..lazy import numpy as np`` gives a stand-in that imports numpy (~11.7 MiB, ~0.1 s of CPU) the first time one
of its attributes is read, then keeps each attribute it has handed out. Import is thread-safe (Python's import
lock: a second thread waits for the first to finish the import), unlike ``importlib.util.LazyLoader``. For type
checkers the names are the modules themselves. Only what a start-up does not need belongs here: a process that
never searches or stores vectors never imports numpy."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any


class LazyModule:
    """A module imported by the first attribute read."""

    def __init__(self, name: str) -> None:
        self.__dict__["_name"] = name

    def __getattr__(self, attr: str) -> Any:
        value = getattr(importlib.import_module(self.__dict__["_name"]), attr)
        self.__dict__[attr] = value  # later reads are plain instance lookups
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self.__dict__['_name']!r}>"


if TYPE_CHECKING:
    import numpy
else:
    numpy = LazyModule("numpy")

__all__ = ["LazyModule", "numpy"]
