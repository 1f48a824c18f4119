"""`gleaner report`: one self-contained HTML page about the vault and Gleaner's runs.

Nobody opens JSON run reports; a page of charts gets looked at. The page needs nothing but
itself: the charts are inline SVG, the style is inline, there is no script and nothing is
loaded from anywhere. It follows the reader's light or dark scheme: the charts take their
colours from the page's stylesheet (pipeline/views/charts.py). Each chart has a title and alt
text that says what it shows in figures, for a screen reader or a text browser.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ..atomic import atomic_write
from ..resources import data_path
from .charts import Chart, Series, bar_chart, line_chart
from .trends import monday_of, week_label
from .vault_history import VaultHistory, read_history

MAX_RUN_BARS = 30  # beyond this many runs, the runs chart counts by day
TOP_BARS = 10
TOP_TOPICS = 6
TOPIC_WEEKS = 12
MINUTE_BINS = ((2, "up to 2 min"), (5, "3–5 min"), (10, "6–10 min"), (20, "11–20 min"),
               (40, "21–40 min"), (float("inf"), "over 40 min"))
SHOWN_FAILURES = 20


def write_report(vault_root: Path, out: Path) -> VaultHistory:
    """Write the report page of the vault at `out`; returns what it was made from."""
    history = read_history(vault_root)
    atomic_write(out, render_report(history, datetime.now(UTC)))
    return history


def render_report(history: VaultHistory, generated: datetime) -> str:
    style = data_path("report.css").read_text(encoding="utf-8")
    body = "".join(_figure(title, caption, maker(history)) for title, caption, maker in CHARTS)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="color-scheme" content="light dark">\n'
            f"<title>Gleaner report: {html.escape(history.vault.name)}</title>\n"
            f"<style>\n{style}</style>\n</head>\n<body>\n<main>\n"
            f"{_header(history, generated)}{body}{_failing_now(history)}"
            f"{_unreadable(history)}</main>\n</body>\n</html>\n")


def runs_chart(history: VaultHistory) -> Chart | None:
    """Written, updated and failed items per run; per day once there are many runs."""
    runs = [run for run in history.runs if run.did_something]
    if not runs:
        return None
    if len(runs) <= MAX_RUN_BARS:
        labels = [f"#{n} {run.started:%d %b %H:%M}" for n, run in enumerate(runs, 1)]
        groups = [[run] for run in runs]
    else:
        days = sorted({run.started.date() for run in runs})
        labels = [f"{day:%d %b %Y}" for day in days]
        groups = [[run for run in runs if run.started.date() == day] for day in days]
    totals = {key: tuple(sum(getattr(run, key) for run in group) for group in groups)
              for key in ("written", "updated", "failed")}
    alt = (f"{len(runs)} runs that changed something, from {runs[0].started:%d %B %Y} to "
           f"{runs[-1].started:%d %B %Y}: {sum(totals['written'])} notes written, "
           f"{sum(totals['updated'])} updated, {sum(totals['failed'])} items failed. "
           + "; ".join(f"{label}: {w} written, {u} updated, {f} failed" for label, w, u, f
                       in zip(labels, *totals.values(), strict=True)))
    return bar_chart("runs", "Runs over time", alt, labels, [
        Series("written", totals["written"], 0), Series("updated", totals["updated"], 3),
        Series("failed", totals["failed"], 2)], stacked=True, value_label="items")


def failure_reasons_chart(history: VaultHistory) -> Chart | None:
    return _top_bars("failure-reasons", "Failures by reason", history.failure_reasons,
                     "failed items", "failed items over all runs, by reason", colour=2)


def failure_hosts_chart(history: VaultHistory) -> Chart | None:
    return _top_bars("failure-hosts", "Failures by host", history.failure_hosts,
                     "failed items", "failed items over all runs, by host", colour=2)


def sources_chart(history: VaultHistory) -> Chart | None:
    return _top_bars("sources", "Notes by source",
                     Counter(article.source for article in history.articles), "notes",
                     "article notes, by source", colour=0)


def topics_chart(history: VaultHistory) -> Chart | None:
    """Weekly articles mentioning each of the topics mentioned most in recent weeks."""
    last = history.mentions.latest_week()
    if last is None:
        return None
    weeks = [last - timedelta(weeks=n) for n in range(TOPIC_WEEKS - 1, -1, -1)]
    weeks = weeks[next((i for i, w in enumerate(weeks) if history.mentions.articles.get(w)),
                       len(weeks) - 1):]
    totals = sum((history.mentions.topics.get(w, Counter()) for w in weeks), Counter())
    top = [key for key, _ in totals.most_common(TOP_TOPICS)]
    if not top:
        return None
    series = [Series(key.partition("/")[2], tuple(history.mentions.topics.get(w, Counter())[key]
                                                  for w in weeks), n) for n, key in
              enumerate(top)]
    alt = (f"Articles a week mentioning the {len(top)} topics mentioned most from "
           f"{week_label(weeks[0])} to {week_label(weeks[-1])}: "
           + "; ".join(f"{one.name} {sum(one.values)} in all" for one in series))
    return line_chart("topics", "Topics over time", alt, [week_label(w) for w in weeks],
                      series, value_label="articles")


def relevance_chart(history: VaultHistory) -> Chart | None:
    counts = Counter(a.relevance for a in history.articles if a.relevance is not None)
    if not counts:
        return None
    values = tuple(counts[n] for n in range(6))
    alt = "Article notes by relevance: " + ", ".join(
        f"{count} with relevance {n}" for n, count in enumerate(values))
    return bar_chart("relevance", "Relevance", alt, [str(n) for n in range(6)],
                     [Series("notes", values, 0)], value_label="notes")


def reading_time_chart(history: VaultHistory) -> Chart | None:
    minutes = [a.minutes for a in history.articles if a.minutes is not None]
    if not minutes:
        return None
    counts = Counter(next(label for limit, label in MINUTE_BINS if round(m) <= limit)
                     for m in minutes)
    labels = [label for _, label in MINUTE_BINS]
    alt = "Article notes by reading time: " + ", ".join(
        f"{counts[label]} {label}" for label in labels)
    return bar_chart("reading-time", "Reading time", alt, labels,
                     [Series("notes", tuple(counts[label] for label in labels), 4)],
                     value_label="notes")


def read_chart(history: VaultHistory) -> Chart | None:
    """Of the notes added each week, how many are read now and how many are not."""
    dated = [a for a in history.articles if a.added is not None]
    if not dated:
        return None
    weeks = _weeks_between(min(monday_of(a.added) for a in dated),
                           max(monday_of(a.added) for a in dated))
    read = tuple(sum(1 for a in dated if a.read and monday_of(a.added) == w) for w in weeks)
    unread = tuple(sum(1 for a in dated if not a.read and monday_of(a.added) == w)
                   for w in weeks)
    labels = [week_label(w) for w in weeks]
    alt = (f"Of {len(dated)} article notes, {sum(read)} are read and {sum(unread)} unread. By "
           "week added: " + "; ".join(f"{label}: {r} read, {u} unread" for label, r, u
                                      in zip(labels, read, unread, strict=True)))
    return bar_chart("read", "Read and unread, by week added", alt, labels,
                     [Series("read", read, 3), Series("unread", unread, 7)], stacked=True,
                     value_label="notes")


CHARTS: Sequence[tuple[str, str, Callable[[VaultHistory], Chart | None]]] = (
    ("Runs over time", f"Items written, updated and failed in each run that changed "
     f"something (by day, once there are more than {MAX_RUN_BARS} such runs).", runs_chart),
    ("Failures by reason", "Every failed item of every run, from the JSON run reports, by "
     "its reason without the particulars.", failure_reasons_chart),
    ("Failures by host", "The same failed items, by the host they were fetched from.",
     failure_hosts_chart),
    ("Sources", "Article notes by their source: the reading list, feed or newsletter they "
     "came through, else the site.", sources_chart),
    ("Topics over time", f"Articles a week mentioning each of the {TOP_TOPICS} topics "
     f"mentioned most over the last {TOPIC_WEEKS} weeks with articles, by publication date.",
     topics_chart),
    ("Relevance", "Article notes by relevance, as the notes have it now: a rating you set "
     "counts.", relevance_chart),
    ("Reading time", "Article notes by the time they take to read, at 230 words a minute.",
     reading_time_chart),
    ("Read and unread over time", "The article notes added each week, by whether they are "
     "ticked already_read now.", read_chart),
)


def _top_bars(name: str, title: str, counts: Counter[str], unit: str, what: str,
              colour: int) -> Chart | None:
    if not counts:
        return None
    top = counts.most_common(TOP_BARS)
    rest = sum(counts.values()) - sum(n for _, n in top)
    alt = (f"{sum(counts.values())} {what}: " + "; ".join(f"{key} {n}" for key, n in top)
           + (f"; {rest} more in {len(counts) - len(top)} others" if rest else ""))
    return bar_chart(name, title, alt, [key for key, _ in top],
                     [Series(unit, tuple(n for _, n in top), colour)], horizontal=True,
                     value_label=unit)


def _weeks_between(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def _figure(title: str, caption: str, chart: Chart | None) -> str:
    """A chart with its caption; the alt text is the SVG's own description."""
    heading = f"<section>\n<h2>{html.escape(title)}</h2>\n"
    if chart is None:
        return heading + '<p class="empty">Nothing to show yet.</p>\n</section>\n'
    return (f'{heading}<figure id="{chart.name}">\n{chart.on_page()}\n'
            f"<figcaption>{html.escape(caption)}</figcaption>\n</figure>\n</section>\n")


def _header(history: VaultHistory, generated: datetime) -> str:
    last = history.runs[-1].started if history.runs else None
    facts = [("article notes", len(history.articles)), ("topics", history.topic_count),
             ("runs", len(history.runs)), ("failing now", len(history.failing_now))]
    cells = "".join(f"<div><dt>{html.escape(label)}</dt><dd>{value}</dd></div>"
                    for label, value in facts)
    when = f"Last run {last:%d %B %Y %H:%M} UTC. " if last else ""
    return (f"<header>\n<h1>Gleaner report: {html.escape(history.vault.name)}</h1>\n"
            f"<p>{when}Made {generated:%d %B %Y %H:%M} UTC from <code>"
            f"{html.escape(str(history.vault))}</code>.</p>\n"
            f'<dl class="facts">{cells}</dl>\n</header>\n')


def _failing_now(history: VaultHistory) -> str:
    if not history.failing_now:
        return "<section>\n<h2>Failing now</h2>\n<p>Nothing is failing.</p>\n</section>\n"
    rows = "".join(f"<tr><td><code>{html.escape(f.location)}</code></td>"
                   f"<td>{html.escape(f.reason)}</td>"
                   f'<td class="when">{html.escape(f.at[:16].replace("T", " "))}</td></tr>\n'
                   for f in history.failing_now[-SHOWN_FAILURES:])
    more = len(history.failing_now) - SHOWN_FAILURES
    note = f"<p>and {more} more: <code>gleaner failures</code> lists them all.</p>\n" \
        if more > 0 else ""
    return ("<section>\n<h2>Failing now</h2>\n<p>Items whose last attempt failed; "
            "<code>gleaner run --retry-failed</code> tries them again.</p>\n"
            "<table>\n<thead><tr><th>item</th><th>reason</th><th>since (UTC)</th></tr></thead>\n"
            f"<tbody>\n{rows}</tbody>\n</table>\n{note}</section>\n")


def _unreadable(history: VaultHistory) -> str:
    if not history.unreadable:
        return ""
    items = "".join(f"<li><code>{html.escape(line)}</code></li>\n"
                    for line in history.unreadable)
    return (f"<section>\n<h2>Not counted</h2>\n<p>These could not be read:</p>\n"
            f"<ul>\n{items}</ul>\n</section>\n")
