"""Reading the config file: the schema check, and remembering a file that passed it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import ConfigError

from .conftest import REPO

VALID = 'vault = "notes"\n\n[fetch]\nconcurrency = 4\n'
UNKNOWN_KEY = 'vault = "notes"\n\n[fetch]\nconcurency = 4\n'


def remembered(cache_home: Path) -> list[Path]:
    return sorted((cache_home / "gleaner" / "valid-configs").glob("*"))


def test_a_config_that_passed_the_schema_is_remembered_in_the_user_cache(tmp_path, cache_home):
    path = tmp_path / "gleaner.toml"
    path.write_text(VALID, encoding="utf-8")

    first, second = load_config(path), load_config(path)

    assert first == second and first.fetch.concurrency == 4
    assert len(remembered(cache_home)) == 1


def test_an_edit_that_breaks_a_remembered_config_is_still_refused(tmp_path):
    path = tmp_path / "gleaner.toml"
    path.write_text(VALID, encoding="utf-8")
    load_config(path)
    path.write_text(UNKNOWN_KEY, encoding="utf-8")

    with pytest.raises(ConfigError, match=r"unknown key in \[fetch\].*concurency"):
        load_config(path)


def test_a_config_that_fails_the_schema_is_not_remembered(tmp_path, cache_home):
    path = tmp_path / "gleaner.toml"
    path.write_text(UNKNOWN_KEY, encoding="utf-8")

    with pytest.raises(ConfigError):
        load_config(path)

    assert remembered(cache_home) == []


def test_a_misspelled_key_names_the_key_it_probably_meant(tmp_path):
    path = tmp_path / "gleaner.toml"
    path.write_text(UNKNOWN_KEY, encoding="utf-8")

    with pytest.raises(ConfigError, match=r"'concurency' was unexpected\) \(did you mean "
                                          r"'concurrency'\?\)"):
        load_config(path)


def test_a_misspelled_interests_table_names_the_table_it_probably_meant(tmp_path):
    path = tmp_path / "gleaner.toml"
    path.write_text("[interests.topic]\nLLM = 2\n", encoding="utf-8")

    with pytest.raises(ConfigError, match=r"interests\.topic: .*\(did you mean 'topics'\?\)"):
        load_config(path)


def test_a_cache_folder_that_cannot_be_written_only_costs_the_check(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    path = tmp_path / "gleaner.toml"
    path.write_text(VALID, encoding="utf-8")

    assert load_config(path).fetch.concurrency == 4
    path.write_text(UNKNOWN_KEY, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(path)


def test_a_remembered_config_loads_without_importing_the_schema_checker(tmp_path):
    path = tmp_path / "gleaner.toml"
    path.write_text(VALID, encoding="utf-8")
    load_config(path)
    probe = ("import json, sys; from pathlib import Path; from pipeline.config import load_config; "
             f"load_config(Path({str(path)!r})); print(json.dumps('jsonschema' in sys.modules))")

    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, check=True)

    assert json.loads(done.stdout) is False
