"""Where the CPU stages (extract, analyze, summarize) run: worker processes on this machine,
or Ray actors on a cluster.

Entry points: `cpu_stages` and `check_executor` (executors.py; processes.py and
ray_actors.py), `Prepared`, what a worker hands back for one page. docs/SCALING.md has
the design and its figures.
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "Prepared": "processes",
    "check_executor": "executors",
    "cpu_stages": "executors",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
