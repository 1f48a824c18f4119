"""The package's layout rules, read from its source: which module may import which.

Three tiers, and imports run one way, top → stages → base:
- top: the command line and the runs that know the order of the stages (`cli.py`,
  `commands/`, `orchestrator.py` with `emit.py`, `import_run.py`, `ingestion.py`, the
  package itself);
- stages: the subpackages (`sources/`, `fetch/`, `extract/`, …);
- base: the other top-level modules (records, errors, config, …), which every tier uses.
A module reaches into another stage only through that stage's entry points: the names its
`__init__.py` lists in `__all__`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

TOP_MODULES = {"__init__", "__main__", "cli", "orchestrator", "emit", "import_run", "ingestion"}
TOP_PACKAGES = {"commands"}
MAX_MODULE_LINES = 400
MAX_PACKAGE_MODULES = 12


@dataclass(frozen=True)
class Import:
    importer: str  # dotted, without the package's own name: "nlp.analyze"
    target: str  # the module imported from: "records", "nlp", "nlp.gazetteer"
    names: tuple[str, ...]
    line: int


def modules(package: Path) -> dict[str, Path]:
    """Every module of the package by dotted name (a package's own is its `__init__`)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        found[".".join(parts)] = path
    return found


def imports(package: Path) -> list[Import]:
    """Every import of one of the package's modules by another, however it is written."""
    found = []
    for name, path in modules(package).items():
        here = name.split(".")[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        annotations_only = _type_checking_only(tree)
        for node in ast.walk(tree):
            if id(node) in annotations_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                names = tuple(alias.name for alias in node.names)
                found.append(Import(name, target or "__init__", names, node.lineno))
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    f"{package.name}."):
                target = node.module.split(".", 1)[1]
                found.append(Import(name, target, tuple(a.name for a in node.names),
                                    node.lineno))
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The imports under `if TYPE_CHECKING:`: names for annotations, not a dependency."""
    return {id(node) for block in ast.walk(tree)
            if isinstance(block, ast.If) and getattr(block.test, "id", "") == "TYPE_CHECKING"
            for statement in block.body for node in ast.walk(statement)}


def tier(module: str, stages: set[str]) -> str:
    first = module.split(".")[0]
    if module in TOP_MODULES or first in TOP_PACKAGES:
        return "top"
    return "stage" if first in stages else "base"


def violations(package: Path) -> list[str]:
    """What breaks the layout rules, one line each, naming the module and the line."""
    found = modules(package)
    entry_points = {path.parent.name: _all_of(path) for name, path in found.items()
                    if name.count(".") == 1 and name.endswith(".__init__")
                    and path.parent.name not in TOP_PACKAGES}
    problems = []
    for imp in imports(package):
        problems += _import_problems(imp, entry_points)
    return problems + _size_problems(found)


def _import_problems(imp: Import, entry_points: dict[str, set[str]]) -> list[str]:
    where = f"{imp.importer} (line {imp.line}) imports {imp.target}"
    target = imp.target.removesuffix(".__init__")
    source_tier = tier(imp.importer, set(entry_points))
    target_tier = tier(target, set(entry_points))
    if source_tier != "top" and target_tier == "top":
        return [f"{where}: a {source_tier} module imports the top "
                "(imports run top → stages → base)"]
    if source_tier == "base" and target_tier == "stage":
        return [f"{where}: a base module imports a stage"]
    stage, mine = target.split(".")[0], imp.importer.split(".")[0]
    if target_tier != "stage" or stage == mine:
        return []
    if target != stage:
        return [f"{where}: reaches into {stage}/ past its entry points (import from {stage})"]
    unknown = [name for name in imp.names if name not in entry_points[stage]]
    return [f"{where}: {', '.join(unknown)} not among {stage}'s entry points"] if unknown else []


def _size_problems(found: dict[str, Path]) -> list[str]:
    problems = []
    for name, path in found.items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            problems.append(f"{name}: {lines} lines (at most {MAX_MODULE_LINES})")
    packages: dict[str, int] = {}
    for name in found:
        if "." in name and not name.endswith("__init__"):
            parent = name.rsplit(".", 1)[0]
            packages[parent] = packages.get(parent, 0) + 1
    problems += [f"{parent}/: {count} modules (at most {MAX_PACKAGE_MODULES})"
                 for parent, count in packages.items() if count > MAX_PACKAGE_MODULES]
    return problems


def _all_of(init: Path) -> set[str]:
    """The names a subpackage's `__init__.py` lists as its entry points."""
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "ENTRY_POINTS" for t in node.targets):
            return {key.value for key in node.value.keys}
    return set()
