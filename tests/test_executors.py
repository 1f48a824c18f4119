"""Choosing the executor: on the command line or in the config, and a clear stop when the
one chosen cannot run. These tests need no Ray: they hide it when it is installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import RayConfig, config_from_dict
from pipeline.errors import ConfigError

from .conftest import article_page, realistic_paragraphs
from .server import Response

# `import ray` fails in the child, as on a machine without the extra
WITHOUT_RAY = ("import sys; sys.modules['ray'] = None; from pipeline.cli import main; "
               "main(sys.argv[1:])")


def gleaner_without_ray(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT_RAY, *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


@pytest.mark.parametrize("command", [
    ["run", "{url}"],
    ["import", "pocket.csv"],
    ["ingest", "--config", "feeds.toml"],
])
def test_executor_ray_without_ray_exits_2_naming_the_extra(command, server, tmp_path):
    server.routes["/post"] = Response("<html><body><p>A post.</p></body></html>")
    (tmp_path / "pocket.csv").write_text(f"title,url\nA post,{server.url('/post')}\n")
    (tmp_path / "feeds.toml").write_text(
        f'[[subscriptions]]\nname = "Blog"\nurl = "{server.url("/feed.xml")}"\n')
    args = [part.format(url=server.url("/post")) for part in command]

    done = gleaner_without_ray(*args, "--executor", "ray", "--vault", "vault", cwd=tmp_path)

    assert done.returncode == 2, done.stderr
    assert "pip install 'gleaner[ray]'" in done.stderr
    assert server.requests == []
    assert not (tmp_path / "vault").exists()


def test_executor_ray_in_the_config_without_ray_exits_2(server, tmp_path):
    (tmp_path / "gleaner.toml").write_text('executor = "ray"\n')

    done = gleaner_without_ray("run", server.url("/post"), "--config", "gleaner.toml",
                               "--vault", "vault", cwd=tmp_path)

    assert done.returncode == 2
    assert "pip install 'gleaner[ray]'" in done.stderr


def test_executor_local_on_the_command_line_wins_over_the_config(server, tmp_path):
    server.routes["/post"] = Response(article_page("Field notes",
                                                   realistic_paragraphs()[:4]))
    (tmp_path / "gleaner.toml").write_text('executor = "ray"\nworkers = 0\n')

    done = gleaner_without_ray("run", server.url("/post"), "--config", "gleaner.toml",
                               "--executor", "local", "--vault", "vault", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "vault").glob("*.md"))) == 1


def test_the_config_names_the_cluster_to_join():
    config = config_from_dict({"executor": "ray",
                               "ray": {"address": "ray://head:10001", "workers": 16}})

    assert config.executor == "ray"
    assert config.ray == RayConfig(address="ray://head:10001", workers=16)


def test_an_unknown_executor_in_the_config_names_the_key():
    with pytest.raises(ConfigError, match="executor"):
        config_from_dict({"executor": "dask"})


def test_an_unknown_key_under_ray_is_named():
    with pytest.raises(ConfigError, match="adress"):
        config_from_dict({"ray": {"adress": "auto"}})
