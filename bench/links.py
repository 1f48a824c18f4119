"""In-body link extraction: precision and recall against the hand-listed gold links.

Each page of tests/data/links/gold.jsonl is read from the extraction benchmark's HTML
(../shared/data/extraction-benchmark/html/<id>.html.gz) and run through the real extract
stage, as a fetched page with the gold URL. Both sides are normalized with
pipeline.extract.links.canonical_url and de-duplicated per page. Scores are micro (over all links)
and macro (mean over pages). "Lenient" precision ignores predicted links the gold file lists
as borderline (`excluded`); recall is the same either way.

    python bench/links.py [--errors]
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.extract.article import extract_article
from pipeline.extract.links import canonical_url
from pipeline.records import Link, Page, Source

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "links" / "gold.jsonl"
HTML = ROOT.parent / "shared" / "data" / "extraction-benchmark" / "html"


@dataclass(frozen=True)
class PageScore:
    """Link sets of one page: what the gold lists, what was found, what may go either way."""

    id: str
    url: str
    gold: frozenset[str]
    found: frozenset[str]
    borderline: frozenset[str]
    kinds: dict[str, str]

    def false_positives(self, lenient: bool) -> frozenset[str]:
        extra = self.found - self.gold
        return extra - self.borderline if lenient else extra

    @property
    def missed(self) -> frozenset[str]:
        return self.gold - self.found


def load_gold() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line]


def extracted_links(row: dict) -> tuple[Link, ...]:
    content = gzip.decompress((HTML / f"{row['id']}.html.gz").read_bytes())
    page = Page(source=Source(row["url"], "bench"), url=row["url"], content=content,
                content_type="text/html")
    return extract_article(page).links


def score_page(row: dict) -> PageScore:
    links = extracted_links(row)
    return PageScore(
        id=row["id"],
        url=row["url"],
        gold=frozenset(canonical_url(link["url"]) for link in row["links"]),
        found=frozenset(link.url for link in links),
        borderline=frozenset(canonical_url(link["url"]) for link in row.get("excluded", [])),
        kinds={link.url: link.kind for link in links},
    )


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def micro(pages: list[PageScore], lenient: bool) -> tuple[float, float]:
    true = sum(len(p.gold & p.found) for p in pages)
    false = sum(len(p.false_positives(lenient)) for p in pages)
    gold = sum(len(p.gold) for p in pages)
    return ratio(true, true + false), ratio(true, gold)


def macro(pages: list[PageScore], lenient: bool) -> tuple[float, float]:
    precisions = [ratio(len(p.gold & p.found), len(p.gold & p.found) + len(p.false_positives(
        lenient))) for p in pages]
    recalls = [ratio(len(p.gold & p.found), len(p.gold)) for p in pages]
    return sum(precisions) / len(pages), sum(recalls) / len(pages)


def print_errors(pages: list[PageScore]) -> None:
    for page in pages:
        for url in sorted(page.missed):
            print(f"  missed          {page.id[:12]} {url}")
        for url in sorted(page.found - page.gold):
            tag = "borderline" if url in page.borderline else "false positive"
            print(f"  {tag:<15} {page.id[:12]} {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every missed or extra link")
    args = parser.parse_args()
    if not HTML.is_dir():
        raise SystemExit(f"extraction benchmark not found at {HTML}: the shared data folder "
                         "must sit next to the repository")
    pages = [score_page(row) for row in load_gold()]
    print(f"in-body links: {len(pages)} pages, {sum(len(p.gold) for p in pages)} distinct gold "
          f"links ({GOLD.relative_to(ROOT)})")
    print(f"{'':<10}{'precision':>10}{'lenient P':>11}{'recall':>8}")
    for name, measure in (("micro", micro), ("macro", macro)):
        precision, recall = measure(pages, lenient=False)
        lenient, _ = measure(pages, lenient=True)
        print(f"{name:<10}{precision:>10.3f}{lenient:>11.3f}{recall:>8.3f}")
    kinds = Counter(kind for page in pages for kind in page.kinds.values())
    print("kinds of the links found: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    if args.errors:
        print_errors(pages)


if __name__ == "__main__":
    main()
