"""Newsletters from an IMAP folder.

The host, user and folder come from the config and the password from the environment
variable the config names, so no secret sits in a file. The folder is opened read-only
(EXAMINE): Gleaner never marks a mail read or moves it. Only the Message-ID headers of the
folder are fetched on every poll; a whole mail is downloaded once, when it is new.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
from collections.abc import Callable, Iterator

from ..config import ImapConfig
from ..errors import ConfigError, FetchError
from .mail import Mail, mail_key

TIMEOUT = 30.0
UID = re.compile(rb"\bUID (\d+)")
MESSAGE_ID = re.compile(rb"^Message-ID:\s*<?([^>\r\n]+)>?", re.IGNORECASE | re.MULTILINE)


def read_imap(config: ImapConfig, is_seen: Callable[[str], bool]) -> Iterator[Mail]:
    """Every mail of the folder whose key (Message-ID) `is_seen` does not know yet."""
    where = f"imap://{config.user}@{config.host}:{config.port}/{config.folder}"
    password = os.environ.get(config.password_env)
    if not password:
        raise ConfigError(f"{where}: the environment variable {config.password_env}, which "
                          "should hold the IMAP password, is not set")
    try:
        client = _connect(config)
    except OSError as exc:
        raise FetchError(f"{where}: cannot connect: {exc.strerror or exc}") from exc
    try:
        client.login(config.user, password)
        status, _ = client.select(_quoted(config.folder), readonly=True)
        if status != "OK":
            raise FetchError(f"{where}: no such folder")
        for uid, key in _message_ids(client):
            if key and is_seen(key):
                continue
            raw = _body(client, uid)
            yield Mail(f"{where};UID={uid}", key or mail_key(raw), raw)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise FetchError(f"{where}: {_said(exc)}") from exc
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def _connect(config: ImapConfig) -> imaplib.IMAP4:
    if config.ssl:
        return imaplib.IMAP4_SSL(config.host, config.port, timeout=TIMEOUT)
    return imaplib.IMAP4(config.host, config.port, timeout=TIMEOUT)


def _said(error: Exception) -> str:
    """What the server said, as text (imaplib wraps its replies as bytes)."""
    said = error.args[0] if error.args else error
    return said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _message_ids(client: imaplib.IMAP4) -> list[tuple[str, str]]:
    """(uid, Message-ID or "") of every mail in the selected folder, oldest first."""
    status, found = client.uid("SEARCH", None, "ALL")
    uids = found[0].split() if status == "OK" and found and found[0] else []
    if not uids:
        return []
    status, data = client.uid("FETCH", b",".join(uids).decode(),
                              "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    if status != "OK":
        raise FetchError(f"cannot read the folder's Message-IDs: {data!r}")
    ids: list[tuple[str, str]] = []
    for part in data:
        if not isinstance(part, tuple):
            continue
        uid = UID.search(part[0])
        if uid:
            message_id = MESSAGE_ID.search(part[1])
            ids.append((uid.group(1).decode(), message_id.group(1).decode().strip()
                        if message_id else ""))
    return ids


def _body(client: imaplib.IMAP4, uid: str) -> bytes:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    parts = [part for part in data if isinstance(part, tuple)] if status == "OK" else []
    if not parts:
        raise FetchError(f"mail UID {uid} could not be read")
    return parts[0][1]
