"""A subpackage's entry points, imported when first used: a command that needs little (a
cron poll with nothing new) loads little, however many stages the package has."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_entry_points(package: str, entry_points: dict[str, str]
                      ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for a package whose `entry_points` maps each public name
    to the module (relative to the package) that defines it, or that is it."""

    def __getattr__(name: str) -> Any:
        module = entry_points.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        loaded = importlib.import_module(f"{package}.{module}")
        return getattr(loaded, name) if hasattr(loaded, name) else loaded

    def __dir__() -> list[str]:
        return sorted(entry_points)

    return __getattr__, __dir__
