"""Email newsletters: mailboxes of every kind, every body shape, and link expansion."""

from __future__ import annotations

import base64
import mailbox
import quopri
import socketserver
import threading
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest

from pipeline.config import ImapConfig
from pipeline.errors import ConfigError, ExtractError, FetchError
from pipeline.resources import examples_dir
from pipeline.sources.imap import read_imap
from pipeline.sources.mail import issue_page, newsletter_links, parse_issue, read_mailbox

SENT = "Tue, 07 Jan 2025 14:00:00 +0000"


def data_elixir(base: str) -> bytes:
    """multipart/alternative, with every kind of link a newsletter has."""
    tracked = quote(f"{base}/articles/llms-2024?utm_source=dataelixir&utm_medium=email", safe="")
    wrapped = base64.urlsafe_b64encode(f"{base}/articles/deepseek-v3".encode()).decode()
    html = f"""<html><body>
<p class="preheader"><a href="https://dataelixir.example/issues/500">View in browser</a></p>
<table><tr><td>
<h2><a href="https://click.dataelixir.example/t?u={tracked}">Things we learned about LLMs</a></h2>
<p>Simon Willison's review of the year. <a href="https://click.dataelixir.example/t?u={tracked}">
Read it</a>.</p>
<h2><a href="https://links.mail.example/CL0/{wrapped}/1/0101">DeepSeek v3 report</a></h2>
<p><a href="https://dataelixir.example/articles/header"><img src="https://cdn.example/h.png"></a>
<a href="https://cdn.example/banner.png">See the chart</a></p>
<div class="sponsor"><p>Sponsored: <a href="https://sponsor.example/trial">Try Tessellate</a>
</p></div>
<p><a href="https://twitter.com/dataelixir">Follow us</a>
<a href="https://dataelixir.example/archive">Past issues</a></p>
<p><a href="https://dataelixir.example/unsubscribe?u=1">Unsubscribe</a> ·
<a href="https://dataelixir.example/prefs?u=1">Update your preferences</a></p>
</td></tr></table></body></html>"""
    message = EmailMessage()
    message["From"] = "Data Elixir <hello@dataelixir.example>"
    message["To"] = "me@example.com"
    message["Subject"] = "Data Elixir - Issue 500"
    message["Date"] = SENT
    message["Message-ID"] = "<issue-500@dataelixir.example>"
    message.set_content("Data Elixir issue 500: the LLM year in review.")
    message.add_alternative(html, subtype="html")
    return bytes(message)


def the_batch(base: str) -> bytes:
    """HTML only, quoted-printable: soft line breaks, `=3D` in every href, non-ASCII text."""
    target = quote(f"{base}/articles/llms-2024?utm_campaign=batch280", safe="")
    html = (f'<html><head><meta charset="utf-8"></head><body><h1>The Batch</h1>'
            f'<p>Dear friends, déjà vu — this week robots learned to fold laundry, '
            f'and a long paragraph follows so that quoted-printable has to wrap its lines '
            f'several times over before the first link appears.</p>'
            f'<p><a href="{base}/articles/batch-robotics?utm_source=the-batch&amp;id=7">'
            f'Robots that fold laundry</a></p>'
            f'<p><a href="https://deeplearning.example/redirect?target={target}">'
            f'The year in LLMs</a></p>'
            f'<p><a href="https://deeplearning.example/unsubscribe">Unsubscribe</a></p>'
            f'</body></html>')
    body = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    return (f"From: The Batch <thebatch@deeplearning.example>\nTo: me@example.com\n"
            f"Subject: The Batch: issue 280\nDate: {SENT}\n"
            f"Message-ID: <batch-280@deeplearning.example>\nMIME-Version: 1.0\n"
            f"Content-Type: text/html; charset=utf-8\n"
            f"Content-Transfer-Encoding: quoted-printable\n\n{body}\n").encode("ascii")


def import_ai(base: str) -> bytes:
    """Plain text only, bare URLs."""
    return (f"From: Jack Clark <jack@importai.example>\nTo: me@example.com\n"
            f"Subject: Import AI 400: scaling laws, again\nDate: {SENT}\n"
            f"Message-ID: <importai-400@importai.example>\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n\n"
            f"Welcome to Import AI.\n\nThis week: scaling laws hold up again, in a study "
            f"of four hundred language models.\n"
            f"Read: {base}/articles/import-ai-scaling\n\n"
            f"Unsubscribe: https://importai.example/unsubscribe\n").encode()


NEWSLETTERS = (data_elixir, the_batch, import_ai)


def newsletters_mbox(folder: Path, base: str) -> Path:
    """An mbox file holding one issue of each of the three newsletters."""
    path = folder / "newsletters.mbox"
    box = mailbox.mbox(path)
    for make in NEWSLETTERS:
        box.add(make(base))
    box.close()
    return path


BASE = "https://articles.example"


def issues_in(path: Path) -> list:
    return [parse_issue(mail) for mail in read_mailbox(path)]


def test_an_mbox_with_three_newsletters_gives_three_issues(tmp_path):
    issues = issues_in(newsletters_mbox(tmp_path, BASE))
    assert [(i.newsletter, i.subject, i.published) for i in issues] == [
        ("Data Elixir", "Data Elixir - Issue 500", "2025-01-07"),
        ("The Batch", "The Batch: issue 280", "2025-01-07"),
        ("Jack Clark", "Import AI 400: scaling laws, again", "2025-01-07"),
    ]
    assert issues[0].url == "https://dataelixir.example/issues/500"
    assert issues[1].url.startswith((tmp_path / "newsletters.mbox").as_uri() + "?message-id=")


def test_quoted_printable_html_only_mail_is_decoded(tmp_path):
    _, batch, _ = issues_in(newsletters_mbox(tmp_path, BASE))
    assert "déjà vu — this week" in batch.html
    assert "=3D" not in batch.html and "=\n" not in batch.html
    assert newsletter_links(batch.html, batch.url, sender_domain=batch.sender_domain) == [
        f"{BASE}/articles/batch-robotics?id=7", f"{BASE}/articles/llms-2024"]


def test_plain_text_mail_becomes_html_with_its_links(tmp_path):
    *_, text_only = issues_in(newsletters_mbox(tmp_path, BASE))
    assert "<p>Welcome to Import AI.</p>" in text_only.html
    assert newsletter_links(text_only.html, text_only.url,
                            sender_domain=text_only.sender_domain) == [
        f"{BASE}/articles/import-ai-scaling"]


def test_links_are_unwrapped_cleaned_and_filtered(tmp_path):
    [elixir] = issues_in(_eml(tmp_path, data_elixir(BASE)))
    links = newsletter_links(elixir.html, elixir.url, sender_domain=elixir.sender_domain)
    assert links == [f"{BASE}/articles/llms-2024", f"{BASE}/articles/deepseek-v3"]


def test_example_newsletter_issue_links_only_its_articles():
    page = (examples_dir() / "site" / "newsletter" / "issue-42.html").read_text(encoding="utf-8")
    base = "http://127.0.0.1:8765/newsletter/issue-42.html"
    assert newsletter_links(page, base, home="http://127.0.0.1:8765/newsletter/") == [
        "http://127.0.0.1:8765/blog/2024-year-in-review/",
        "http://127.0.0.1:8765/posts/generative-ai-reflections-2024.html",
        "https://simonwillison.net/2024/Dec/31/llms-in-2024/",
        "https://arxiv.org/abs/2412.19437",
        "https://github.com/meta-llama/llama-stack",
    ]


def test_a_home_page_at_the_site_root_does_not_hide_the_sites_articles():
    page = '<p><a href="https://blog.example/2025/post">New post</a></p>'
    assert newsletter_links(page, "https://blog.example/feed/1", home="https://blog.example/") \
        == ["https://blog.example/2025/post"]


def _eml(folder: Path, raw: bytes, name: str = "issue.eml") -> Path:
    path = folder / name
    path.write_bytes(raw)
    return path


def test_eml_file_maildir_and_folder_of_eml_files_are_read(tmp_path):
    eml = _eml(tmp_path, import_ai(BASE))
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    for make in NEWSLETTERS:
        maildir.add(make(BASE))
    emls = tmp_path / "saved"
    emls.mkdir()
    for n, make in enumerate(NEWSLETTERS):
        _eml(emls, make(BASE), f"{n}.eml")

    assert [i.subject for i in issues_in(eml)] == ["Import AI 400: scaling laws, again"]
    assert sorted(i.key for i in issues_in(tmp_path / "Maildir")) == [
        "batch-280@deeplearning.example", "importai-400@importai.example",
        "issue-500@dataelixir.example"]
    assert len(issues_in(emls)) == 3
    assert issues_in(eml)[0].url == eml.as_uri()


def test_the_issue_page_carries_subject_sender_and_date(tmp_path):
    [elixir] = issues_in(_eml(tmp_path, data_elixir(BASE)))
    page = issue_page(elixir)
    html = page.content.decode()
    assert "<title>Data Elixir - Issue 500</title>" in html
    assert 'content="2025-01-07"' in html and 'content="Data Elixir"' in html
    assert (page.url, page.source.origin) == ("https://dataelixir.example/issues/500",
                                             "Data Elixir")


def test_a_missing_mailbox_is_named(tmp_path):
    with pytest.raises(ExtractError, match="mailbox .*nowhere.mbox does not exist"):
        list(read_mailbox(tmp_path / "nowhere.mbox"))


class LoopbackImap:
    """A small real IMAP4rev1 server on 127.0.0.1: LOGIN, EXAMINE, UID SEARCH, UID FETCH."""

    def __init__(self, mails: list[bytes], user: str = "me", password: str = "s3cret") -> None:
        self.mails = mails
        self.commands: list[str] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"* OK loopback IMAP4rev1 ready\r\n")
                while line := self.rfile.readline():
                    tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
                    outer.commands.append(rest)
                    if not outer.answer(self.wfile, tag, rest, user, password):
                        return

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, out, tag: str, command: str, user: str, password: str) -> bool:
        verb = command.split(" ", 1)[0].upper()
        if verb == "CAPABILITY":
            out.write(b"* CAPABILITY IMAP4rev1\r\n")
        elif verb == "LOGIN":
            if [word.strip('"') for word in command.split()[1:]] != [user, password]:
                out.write(f"{tag} NO [AUTHENTICATIONFAILED] bad credentials\r\n".encode())
                return True
        elif verb == "EXAMINE":
            out.write(f"* {len(self.mails)} EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n".encode())
        elif command.upper().startswith("UID SEARCH"):
            uids = " ".join(str(n + 1) for n in range(len(self.mails)))
            out.write(f"* SEARCH {uids}\r\n".encode())
        elif command.upper().startswith("UID FETCH"):
            self.fetch(out, command)
        elif verb == "LOGOUT":
            out.write(f"* BYE\r\n{tag} OK bye\r\n".encode())
            return False
        out.write(f"{tag} OK done\r\n".encode())
        return True

    def fetch(self, out, command: str) -> None:
        _, _, uids, what = command.split(" ", 3)
        for uid in (int(u) for u in uids.split(",")):
            raw = self.mails[uid - 1]
            if "HEADER.FIELDS" in what:
                part = next(line for line in raw.split(b"\n") if line.lower().startswith(
                    b"message-id")) + b"\r\n\r\n"
                name = "BODY[HEADER.FIELDS (MESSAGE-ID)]"
            else:
                part, name = raw, "BODY[]"
            out.write(f"* {uid} FETCH (UID {uid} {name} {{{len(part)}}}\r\n".encode())
            out.write(part + b")\r\n")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def imap_server():
    server = LoopbackImap([make(BASE) for make in NEWSLETTERS])
    yield server
    server.close()


def imap_config(server: LoopbackImap, env: str = "GLEANER_TEST_IMAP") -> ImapConfig:
    return ImapConfig(host="127.0.0.1", user="me", password_env=env, folder="Newsletters",
                      port=server.port, ssl=False)


def test_imap_folder_is_read_read_only_and_only_new_mail_is_downloaded(imap_server,
                                                                     monkeypatch):
    monkeypatch.setenv("GLEANER_TEST_IMAP", "s3cret")
    seen = {"issue-500@dataelixir.example"}

    mails = list(read_imap(imap_config(imap_server), seen.__contains__))

    assert [m.key for m in mails] == ["batch-280@deeplearning.example",
                                      "importai-400@importai.example"]
    assert [parse_issue(m).newsletter for m in mails] == ["The Batch", "Jack Clark"]
    assert 'EXAMINE "Newsletters"' in imap_server.commands
    downloads = [c for c in imap_server.commands if c.endswith("(BODY.PEEK[])")]
    assert downloads == ["UID FETCH 2 (BODY.PEEK[])", "UID FETCH 3 (BODY.PEEK[])"]


def test_imap_password_comes_from_the_named_environment_variable(imap_server, monkeypatch):
    monkeypatch.delenv("GLEANER_TEST_IMAP", raising=False)
    with pytest.raises(ConfigError, match="GLEANER_TEST_IMAP, which should hold the IMAP"):
        list(read_imap(imap_config(imap_server), lambda key: False))
    monkeypatch.setenv("GLEANER_TEST_IMAP", "wrong")
    with pytest.raises(FetchError, match="bad credentials"):
        list(read_imap(imap_config(imap_server), lambda key: False))
