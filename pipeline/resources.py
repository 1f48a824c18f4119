"""Where the package finds its shipped files (data, JSON Schemas, the example site).

Schemas live at the top of the repository (`schemas/`) and are copied into the wheel as
`pipeline/schemas`, so both an editable checkout and an installed wheel find them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def data_path(name: str) -> Path:
    return PACKAGE_DIR / "data" / name


@cache
def load_json(name: str) -> Any:
    """Load a JSON data file shipped in `pipeline/data/` (cached: read once per process)."""
    return json.loads(data_path(name).read_text(encoding="utf-8"))


@cache
def load_schema(name: str) -> dict[str, Any]:
    for folder in (PACKAGE_DIR / "schemas", REPO_DIR / "schemas"):
        path = folder / name
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"schema {name} is not installed with the package")


def examples_dir() -> Path:
    return REPO_DIR / "examples"
