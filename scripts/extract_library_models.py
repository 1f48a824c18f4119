#!/usr/bin/env python3
"""Write the model names a `transformers` wheel lists to scripts/sources/library_models.tsv.

    pip download --no-deps "transformers==4.57.6" -d /tmp/wheel
    python scripts/extract_library_models.py /tmp/wheel/transformers-4.57.6-py3-none-any.whl

The reference tables behind the gazetteer list the models hosts serve and the notable ones
Epoch tracks; research posts also name the open architectures every library implements
(`XLNet`, `SigLIP`, `LLaVA-NeXT`). `transformers` keeps their display names in
`MODEL_NAMES_MAPPING` (models/auto/configuration_auto.py, Apache-2.0). The wheel is read as a
zip and the mapping with `ast`, so nothing of it is imported or installed. The 4.x line is
the one that still has the mapping. docs/GAZETTEER.md says how the builder filters the list.
"""

from __future__ import annotations

import argparse
import ast
import re
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO / "scripts" / "sources" / "library_models.tsv"
MAPPING_FILE = "transformers/models/auto/configuration_auto.py"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path)
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    version = re.search(r"transformers-([^-]+)-", args.wheel.name)
    with zipfile.ZipFile(args.wheel) as wheel:
        names = model_names(wheel.read(MAPPING_FILE).decode("utf-8"))
    header = (f"# transformers {version[1] if version else '?'} (Apache-2.0), "
              f"MODEL_NAMES_MAPPING: model type, display name\n")
    lines = [f"{kind}\t{name}\n" for kind, name in names]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(header + "".join(lines), encoding="utf-8")
    print(f"{args.output}: {len(lines)} model names")


def model_names(source: str) -> list[tuple[str, str]]:
    """The (model type, display name) pairs of the `OrderedDict([...])` literal."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(
                getattr(target, "id", None) == "MODEL_NAMES_MAPPING" for target in node.targets):
            return [tuple(pair) for pair in ast.literal_eval(node.value.args[0])]
    raise SystemExit(f"no MODEL_NAMES_MAPPING in {MAPPING_FILE}")


if __name__ == "__main__":
    main()
