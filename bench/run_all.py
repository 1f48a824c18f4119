"""Run every benchmark in bench/ (each `*.py` here but this one), one after another.

Each runs as its own process with this interpreter, so a new bench/<name>.py joins
`make bench` by being there (a `_name.py` is a module the benches share, not a benchmark).
Exits non-zero when any benchmark failed, after running all.

    python bench/run_all.py
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks() -> list[Path]:
    """Every bench/<name>.py but this one; `_name.py` files are modules the benches share."""
    return sorted(p for p in HERE.glob("*.py")
                  if p.name != Path(__file__).name and not p.name.startswith("_"))


def main() -> int:
    failed = []
    for script in benchmarks():
        print(f"=== {script.name}", flush=True)
        start = time.perf_counter()
        code = subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode
        print(f"=== {script.name}: exit {code} in {time.perf_counter() - start:.1f} s\n",
              flush=True)
        if code:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
