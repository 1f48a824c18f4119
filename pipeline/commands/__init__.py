"""The `gleaner` subcommands beyond run, ingest and import, and what every command shares.

Entry points: the click commands `queue`, `explain`, `trends`, `report`, `topics`
(views.py) and `subscribe`, `unsubscribe`, `subscriptions` (subscribing.py), which
pipeline/cli.py adds to `gleaner`; `command_config`, `fail`, `state_rows` and the exit
codes (common.py); `serve_site` and `demo_reading_list` for `gleaner demo` (demo.py).
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "EXIT_ITEMS_FAILED": "common",
    "EXIT_LOCKED": "common",
    "EXIT_OK": "common",
    "EXIT_USAGE": "common",
    "command_config": "common",
    "demo_reading_list": "demo",
    "explain": "views",
    "fail": "common",
    "queue": "views",
    "report": "views",
    "serve_site": "demo",
    "state_rows": "common",
    "subscribe": "subscribing",
    "subscriptions": "subscribing",
    "topics": "views",
    "trends": "views",
    "unsubscribe": "subscribing",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
