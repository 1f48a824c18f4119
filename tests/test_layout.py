"""The package's layout: imports run top → stages → base, one stage reaches another only
through its entry points, and no module or subpackage grows past what one reading takes in."""

import importlib
import shutil
from pathlib import Path

import pipeline

from .layout_rules import violations

PACKAGE = Path(pipeline.__file__).parent


def package_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PACKAGE, tmp_path / "pipeline",
                                ignore=shutil.ignore_patterns("__pycache__", "data")))


def add_line(module: Path, line: str) -> int:
    """Append `line` to a module; the number of the line it became."""
    text = module.read_text(encoding="utf-8")
    module.write_text(f"{text}{line}\n", encoding="utf-8")
    return len(text.splitlines()) + 1


def new_violations(copy: Path) -> list[str]:
    """What breaks the rules in the copy and not in the package itself."""
    return sorted(set(violations(copy)) - set(violations(PACKAGE)))


def test_the_package_keeps_its_layout_rules():
    assert violations(PACKAGE) == []


def test_a_stage_that_imports_the_orchestrator_breaks_the_rules(tmp_path):
    copy = package_copy(tmp_path)
    line = add_line(copy / "nlp" / "analyze.py", "from ..orchestrator import run")
    assert new_violations(copy) == [
        f"nlp.analyze (line {line}) imports orchestrator: a stage module imports the top "
        "(imports run top → stages → base)"]


def test_a_base_module_that_imports_a_stage_breaks_the_rules(tmp_path):
    copy = package_copy(tmp_path)
    line = add_line(copy / "records.py", "from .vault import Vault")
    assert new_violations(copy) == [
        f"records (line {line}) imports vault: a base module imports a stage"]


def test_reaching_into_a_stage_past_its_entry_points_breaks_the_rules(tmp_path):
    copy = package_copy(tmp_path)
    line = add_line(copy / "vault" / "notes.py", "from ..nlp.gazetteer import Gazetteer")
    assert new_violations(copy) == [
        f"vault.notes (line {line}) imports nlp.gazetteer: reaches into nlp/ past its "
        "entry points (import from nlp)"]


def test_a_name_a_stage_does_not_list_as_an_entry_point_breaks_the_rules(tmp_path):
    copy = package_copy(tmp_path)
    line = add_line(copy / "vault" / "notes.py", "from ..nlp import Gazetteer")
    assert new_violations(copy) == [
        f"vault.notes (line {line}) imports nlp: Gazetteer not among nlp's entry points"]


def test_imports_under_type_checking_are_not_dependencies(tmp_path):
    copy = package_copy(tmp_path)
    add_line(copy / "records.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                  "    from .vault import Vault")
    assert new_violations(copy) == []


def test_every_entry_point_of_every_stage_is_there():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        stage = importlib.import_module(f"pipeline.{init.parent.name}")
        missing = [name for name in getattr(stage, "__all__", ()) if not hasattr(stage, name)]
        assert missing == [], f"{init.parent.name}: {missing}"
