"""`gleaner ingest`, the cron entry point: poll every subscription, and only when something is
new hand it to the orchestrator.

Under cron most polls find nothing new, so that path stays light: it imports neither the
article stages nor their libraries (spaCy, trafilatura, Jinja2), and costs a conditional
request per feed and a scan of each mailbox.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .config import Config
from .report import ItemResult, RunReport
from .sources import Poll, poll
from .state import State, VaultLock, now
from .vault import STATE_DIR, Vault

OnItem = Callable[[ItemResult], None]


def ingest(config: Config, vault_root: Path | None = None,
           on_item: OnItem | None = None) -> RunReport:
    """Poll every subscription and turn only what is new into notes, plus the day's digest."""
    vault = Vault(vault_root or config.vault)
    vault.root.mkdir(parents=True, exist_ok=True)
    on_item = on_item or (lambda item: None)
    with VaultLock(vault.root / STATE_DIR):
        state = State(vault.state_path)
        try:
            polled = poll(config.subscriptions, config.fetch, state,
                          vault.root / STATE_DIR / "mail")
            if polled.any_new or state.dirty_topics() or state.dirty_digests():
                from .orchestrator import ingest_polled

                return ingest_polled(vault, state, config, polled, on_item)
            return _nothing_new(vault, state, polled, on_item)
        finally:
            state.close()


def _nothing_new(vault: Vault, state: State, polled: Poll, on_item: OnItem) -> RunReport:
    """Records the poll in the state file's runs; a JSON report only when something failed,
    so a cron poll every few minutes does not leave hundreds of empty reports a day."""
    run_id = state.start_run()
    report = RunReport(items=list(polled.failures))
    for failure in polled.failures:
        on_item(failure)
    for url, validators in polled.validators.items():
        state.save_feed_validators(url, validators)
    for check in polled.checks:
        state.record_check(check)
    report.finished = now()
    state.finish_run(run_id, report.counts)
    if report.items:
        report.save(vault.root / STATE_DIR / "reports")
    return report
