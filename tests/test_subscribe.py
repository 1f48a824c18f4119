"""`gleaner subscribe`, `unsubscribe` and `subscriptions`: the person's config edited in place,
byte for byte apart from the change."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import EXIT_OK, EXIT_USAGE, main
from pipeline.config import load_config

from .server import Response

COMMENTED = """\
# Gleaner, as I run it from cron
vault = "~/Obsidian/Main"   # the vault

[fetch]
timeout = 10     # seconds; my server is slow
host_delay = 1

# --- what I read ---
[[subscriptions]]
name = "Kamiwaza Blog"          # becomes source:
url = "https://blog.example/feed.xml"

# the weekly one
[[subscriptions]]
name = "Data Elixir"
kind = "newsletter"             # issues and their links
url = "https://issues.example/rss"

[llm]
enabled = false
prompt = \"\"\"
[INST] Summarize: {text}
\"\"\"

[interests.topics]
Large_Language_Model = 1.5      # mostly this
"""
NO_SUBSCRIPTIONS = """\
# nothing subscribed yet
[fetch]
timeout = 10
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Loopback Weekly</title><id>urn:w</id>
<updated>2025-01-07T00:00:00Z</updated></feed>"""


def gleaner(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("original", [COMMENTED, NO_SUBSCRIPTIONS,
                                      COMMENTED.replace("\n", "\r\n")],
                         ids=["commented", "none yet", "crlf"])
def test_subscribe_then_unsubscribe_gives_back_the_same_bytes(original, tmp_path):
    config = tmp_path / "gleaner.toml"
    config.write_bytes(original.encode("utf-8"))

    subscribed = gleaner("subscribe", "https://new.example/feed", "--name", 'Ada\'s "Notes"',
                         "--kind", "newsletter", "--config", str(config))
    after = config.read_bytes().decode("utf-8")
    loaded = load_config(config)
    unsubscribed = gleaner("unsubscribe", 'Ada\'s "Notes"', "--config", str(config))

    assert subscribed.exit_code == EXIT_OK, subscribed.output
    nl = "\r\n" if "\r\n" in original else "\n"
    block = (f'{nl}[[subscriptions]]{nl}name = "Ada\'s \\"Notes\\""{nl}'
             f'url = "https://new.example/feed"{nl}kind = "newsletter"{nl}')
    last = f'url = "https://issues.example/rss"{nl}'  # after the last subscription
    assert after == (original.replace(last, last + block) if last in original
                     else original + block)
    assert [(s.name, s.kind) for s in loaded.subscriptions][-1] == ('Ada\'s "Notes"',
                                                                    "newsletter")
    assert unsubscribed.exit_code == EXIT_OK, unsubscribed.output
    assert config.read_bytes() == original.encode("utf-8")


def test_unsubscribe_removes_only_the_entry_and_keeps_every_comment(tmp_path):
    config = tmp_path / "gleaner.toml"
    config.write_text(COMMENTED, encoding="utf-8")

    result = gleaner("unsubscribe", "https://blog.example/feed.xml", "--config", str(config))

    text = config.read_text(encoding="utf-8")
    assert result.exit_code == EXIT_OK and "unsubscribed: Kamiwaza Blog" in result.output
    removed = [line for line in difflib.ndiff(COMMENTED.splitlines(), text.splitlines())
               if line.startswith("- ")]
    assert removed == ["- [[subscriptions]]", '- name = "Kamiwaza Blog"          # becomes source:',
                       '- url = "https://blog.example/feed.xml"', "- "]
    assert [s.name for s in load_config(config).subscriptions] == ["Data Elixir"]
    assert "# the weekly one" in text and "# --- what I read ---" in text


def test_a_name_not_given_is_the_feeds_own_title(server, tmp_path):
    server.routes["/atom"] = Response(ATOM, content_type="application/atom+xml")
    config = tmp_path / "gleaner.toml"

    result = gleaner("subscribe", server.url("/atom"), "--config", str(config))

    assert result.exit_code == EXIT_OK, result.output
    assert config.read_text(encoding="utf-8") == (
        f'[[subscriptions]]\nname = "Loopback Weekly"\nurl = "{server.url("/atom")}"\n')


def test_a_feed_that_cannot_be_read_for_its_name_is_not_subscribed(server, tmp_path):
    server.routes["/gone"] = Response("gone", status=404, content_type="text/plain")
    config = tmp_path / "gleaner.toml"
    config.write_text(NO_SUBSCRIPTIONS, encoding="utf-8")

    result = gleaner("subscribe", server.url("/gone"), "--config", str(config))

    assert result.exit_code == EXIT_USAGE
    assert "HTTP 404 Not Found; give the subscription a name with --name" in result.output
    assert config.read_text(encoding="utf-8") == NO_SUBSCRIPTIONS


def test_subscribe_opml_adds_each_feed_once(tmp_path):
    opml = tmp_path / "export.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="Tech">'
        '<outline type="rss" text="Kamiwaza Blog" xmlUrl="https://blog.example/feed.xml"/>'
        '<outline type="rss" title="Import AI" text="importai" xmlUrl="https://ai.example/rss"/>'
        '<outline type="rss" text="Lil\'Log" xmlUrl="https://lil.example/atom.xml"/>'
        "</outline></body></opml>", encoding="utf-8")
    config = tmp_path / "gleaner.toml"
    config.write_text(COMMENTED, encoding="utf-8")

    result = gleaner("subscribe", "--opml", str(opml), "--config", str(config))

    assert result.exit_code == EXIT_OK, result.output
    assert "already subscribed: https://blog.example/feed.xml" in result.output
    assert "2 subscriptions added" in result.output
    assert [(s.name, s.url) for s in load_config(config).subscriptions][2:] == [
        ("Import AI", "https://ai.example/rss"), ("Lil'Log", "https://lil.example/atom.xml")]
    assert config.read_text(encoding="utf-8").startswith(COMMENTED.split("[llm]")[0])


@pytest.mark.parametrize("args,message", [
    (["unsubscribe", "Nobody"], "no subscription named 'Nobody' (there are: 'Kamiwaza Blog', "
                                "'Data Elixir')"),
    (["subscribe", "https://blog.example/feed.xml", "--name", "Again"], "already subscribed"),
    (["subscribe"], "give a feed URL (or a mailbox path), or --opml FILE"),
])
def test_mistakes_leave_the_file_as_it_was(args, message, tmp_path):
    config = tmp_path / "gleaner.toml"
    config.write_text(COMMENTED, encoding="utf-8")

    result = gleaner(*args, "--config", str(config))

    assert message in result.output
    assert config.read_text(encoding="utf-8") == COMMENTED


def test_a_config_that_lists_subscriptions_inline_is_not_rewritten(tmp_path):
    config = tmp_path / "gleaner.toml"
    inline = 'subscriptions = [{name = "A", url = "https://a.example/feed"}]\n'
    config.write_text(inline, encoding="utf-8")

    result = gleaner("subscribe", "https://b.example/feed", "--name", "B", "--config", str(config))

    assert result.exit_code == EXIT_USAGE and "inline array" in result.output
    assert config.read_text(encoding="utf-8") == inline


def test_subscriptions_lists_every_subscription_even_before_the_first_poll(tmp_path: Path):
    config = tmp_path / "gleaner.toml"
    config.write_text(COMMENTED.replace('"~/Obsidian/Main"', f'"{tmp_path / "vault"}"'),
                      encoding="utf-8")

    result = gleaner("subscriptions", "--config", str(config))

    assert result.exit_code == EXIT_OK
    assert result.output.splitlines() == [
        "Kamiwaza Blog  (feed)  https://blog.example/feed.xml", "    never polled",
        "Data Elixir  (newsletter)  https://issues.example/rss", "    never polled",
        f"{config}: 2 subscriptions"]


def test_the_commands_have_help_text():
    for command in ("subscribe", "unsubscribe", "subscriptions"):
        result = gleaner(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output
