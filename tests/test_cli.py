"""The `gleaner` command: help, config errors, validate, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import EXIT_ITEMS_FAILED, EXIT_USAGE, STARTUP_SECONDS, main

from .conftest import AI_PARAGRAPHS, REPO, article_page
from .server import Response


def test_every_command_has_help_text():
    for command in ("run", "validate", "demo"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_the_command_collects_garbage_again_once_start_up_is_over():
    probe = ("import gc, json, sys, time\nfrom pipeline.cli import entry\n"
             "sys.argv = ['gleaner', 'topics', '--help']\n"
             "try:\n    entry()\nexcept SystemExit:\n    pass\n"
             "during = gc.isenabled()\n"
             f"time.sleep({STARTUP_SECONDS} + 0.5)\n"
             "print(json.dumps([during, gc.isenabled()]))\n")

    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, timeout=60, check=True)

    assert json.loads(done.stdout.splitlines()[-1]) == [False, True]


def test_config_error_names_the_bad_key(tmp_path: Path):
    config = tmp_path / "gleaner.toml"
    config.write_text("[fetch]\ntimeout = -1\nspeed = 3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "https://a.example/", "--config", str(config)])
    assert result.exit_code == EXIT_USAGE
    assert "fetch.timeout" in result.output
    assert "'speed'" in result.output


def test_validate_lists_each_violation_with_file_and_key(tmp_path: Path):
    (tmp_path / "bad.md").write_text(
        "---\ntype: Content\nlink: not a url\nrelevance: 9\n---\nbody\n", encoding="utf-8")
    (tmp_path / "personal.md").write_text("Just my own note.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == EXIT_ITEMS_FAILED
    assert f"{tmp_path / 'bad.md'}: relevance:" in result.output
    assert f"{tmp_path / 'bad.md'}: link:" in result.output
    assert f"{tmp_path / 'bad.md'}: already_read:" in result.output
    assert "personal.md" not in result.output


def test_run_exits_1_and_names_failed_items(server, tmp_path: Path):
    server.routes["/ok"] = Response(article_page("Open models", AI_PARAGRAPHS))
    server.routes["/missing"] = Response("gone", status=404, content_type="text/plain")
    vault = tmp_path / "vault"
    result = CliRunner().invoke(main, ["run", server.url("/ok"), server.url("/missing"),
                                       "--vault", str(vault)])
    assert result.exit_code == EXIT_ITEMS_FAILED
    assert f"FAILED {server.url('/missing')}: HTTP 404 Not Found" in result.output
    assert "1 notes written, 0 updated, 0 unchanged, 1 failed" in result.output
