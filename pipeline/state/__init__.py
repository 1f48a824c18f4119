"""The vault's memory in `.gleaner/state.sqlite`, and the lock that lets one run at a time
write the vault.

Entry points: `State` and `NoteRecord` (store.py, with topics.py and subscriptions.py for
their tables), `VaultLock` (lock.py).
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "Check": "subscriptions",
    "Health": "subscriptions",
    "LIVE": "topics",
    "NoteRecord": "store",
    "State": "store",
    "VaultLock": "lock",
    "now": "subscriptions",
    "topic_key": "topics",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
