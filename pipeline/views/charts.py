"""Charts as SVG, drawn by matplotlib: for the report page and the weekly digest.

A chart must read in a light and in a dark theme, so it is drawn in placeholder colors and
named afterwards. On the report page each placeholder becomes `currentColor` or a CSS
variable (`var(--series-1)`), which the page's stylesheet sets for either scheme: the same
SVG follows the reader's theme with no script. In a file of its own (the digest's chart,
which Obsidian shows as an image in either theme) each becomes a fixed mid-tone that reads
on a light and on a dark background.

matplotlib is imported when the first chart is drawn: a cron poll never draws one.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

FOREGROUND = "#010101"  # text, axes and ticks
GRID = "#020202"
MARKED = "#030303"  # what a chart marks out: rising topics
SERIES = tuple(f"#0a0a{n:02x}" for n in range(1, 9))
MARK = "▲"
MIN_SLOTS = 4  # categories a bar chart has room for, however few it has
ON_PAGE = {FOREGROUND: "currentColor", GRID: "var(--grid)", MARKED: "var(--marked)",
           **{colour: f"var(--series-{n})" for n, colour in enumerate(SERIES, 1)}}
# Okabe and Ito's colour-blind-safe palette, in tones with 3:1 contrast or more on white
# and on Obsidian's dark background alike.
IN_A_FILE = {FOREGROUND: "#8a8a8a", GRID: "#8a8a8a", MARKED: "#e8590c",
             **dict(zip(SERIES, ("#3a8fd0", "#e69f00", "#d55e00", "#009e73", "#cc79a7",
                                 "#56b4e9", "#b8860b", "#999999"), strict=True))}
UNREFERENCED_ID = re.compile(r' id="([^"]+)"')
WIDTH_AND_HEIGHT = re.compile(r' width="[\d.]+pt" height="[\d.]+pt"')


@dataclass(frozen=True)
class Series:
    """One set of values, one per category, in one of the SERIES colours (by index)."""

    name: str
    values: tuple[float, ...]
    colour: int = 0


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its SVG (placeholder colours), title and alt text. `name` is unique on
    a page: the SVG's ids are made from it, so two charts inline never share an id."""

    name: str
    title: str
    alt: str
    svg: str

    def on_page(self) -> str:
        """The <svg> element for an HTML page, coloured by the page's stylesheet."""
        svg = WIDTH_AND_HEIGHT.sub("", self.svg, count=1)
        return _coloured(_labelled(svg, self), ON_PAGE)

    def in_a_file(self) -> str:
        """A standalone SVG file, in colours that read in a light and in a dark theme."""
        return ('<?xml version="1.0" encoding="utf-8"?>\n'
                + _coloured(_labelled(self.svg, self), IN_A_FILE))


def bar_chart(name: str, title: str, alt: str, categories: Sequence[str],
              series: Sequence[Series], *, stacked: bool = False, horizontal: bool = False,
              marked: Sequence[str] = (), marked_as: str = "", value_label: str = "") -> Chart:
    """Bars per category: side by side, or stacked. `marked` categories get a ▲ and the
    marked colour on their first series; the legend names them `marked_as`."""
    height = max(2.4, 0.3 * len(categories) * (1 if stacked else len(series)) + 1.0) \
        if horizontal else 3.2
    with _style(name):
        figure, axes = _figure(height)
        _draw_bars(axes, categories, series, stacked, horizontal, marked, marked_as,
                   value_label)
        return Chart(name, title, alt, _svg(figure))


def _draw_bars(axes, categories: Sequence[str], series: Sequence[Series], stacked: bool,
               horizontal: bool, marked: Sequence[str], marked_as: str,
               value_label: str) -> None:
    positions = list(range(len(categories)))
    width = 0.8 if stacked or len(series) == 1 else 0.8 / len(series)
    base = [0.0] * len(categories)
    for index, one in enumerate(series):
        offset = 0.0 if stacked else (index - (len(series) - 1) / 2) * width
        where = [p + offset for p in positions]
        colours = [MARKED if index == 0 and label in marked else SERIES[one.colour]
                   for label in categories]
        draw = axes.barh if horizontal else axes.bar
        draw(where, one.values, width, base if stacked else 0.0,
             color=colours, label=one.name)
        if stacked:
            base = [b + v for b, v in zip(base, one.values, strict=True)]
    labels = [f"{MARK} {label}" if label in marked else label for label in categories]
    # a lone bar is not drawn the whole width of the chart: there is room for MIN_SLOTS
    pad = max(0.0, (MIN_SLOTS - len(categories)) / 2)
    low, high = -0.5 - pad, len(categories) - 0.5 + pad
    if horizontal:
        axes.set_yticks(positions, labels)
        axes.set_ylim(high, low)
        axes.set_xlabel(value_label)
    else:
        axes.set_xticks(positions, labels, rotation=30 if len(categories) > 8 else 0,
                        ha="right" if len(categories) > 8 else "center")
        axes.set_xlim(low, high)
        axes.set_ylabel(value_label)
    _finish(axes, horizontal)
    keys = [(SERIES[one.colour], one.name) for one in series]
    if any(label in marked for label in categories):
        keys.append((MARKED, f"{MARK} {marked_as}"))
    if len(keys) > 1:
        from matplotlib.patches import Patch

        _legend(axes, [Patch(color=colour, label=name) for colour, name in keys])


def line_chart(name: str, title: str, alt: str, x_labels: Sequence[str],
               series: Sequence[Series], value_label: str = "") -> Chart:
    """A line per series over the x labels (weeks, days), with a dot at each value."""
    with _style(name):
        figure, axes = _figure(height=3.2)
        positions = list(range(len(x_labels)))
        for one in series:
            axes.plot(positions, one.values, marker="o", markersize=3.5, linewidth=1.8,
                      color=SERIES[one.colour], label=one.name)
        step = max(1, len(x_labels) // 12)
        axes.set_xticks(positions[::step], list(x_labels)[::step], rotation=30, ha="right")
        axes.set_ylabel(value_label)
        _finish(axes, horizontal=False)
        if len(series) > 1:
            _legend(axes, axes.get_legend_handles_labels()[0])
        return Chart(name, title, alt, _svg(figure))


def _style(name: str):  # -> a context manager; matplotlib loads only here
    """matplotlib's settings for one chart, leaving the process's own untouched: text as
    text (readable, coloured by the page), ids salted with the chart's name."""
    import matplotlib

    return matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name,
                                  "font.size": 10})


def _figure(height: float):  # -> (Figure, Axes)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, height), facecolor="none", layout="constrained")
    axes = figure.add_subplot()
    axes.set_facecolor("none")
    return figure, axes


def _finish(axes, horizontal: bool) -> None:
    """Axes in the foreground colour, a light grid along the values, no box."""
    axes.tick_params(colors=FOREGROUND)
    axes.xaxis.label.set_color(FOREGROUND)
    axes.yaxis.label.set_color(FOREGROUND)
    for side, spine in axes.spines.items():
        spine.set_visible(side in ("left", "bottom"))
        spine.set_color(FOREGROUND)
    axes.grid(axis="x" if horizontal else "y", color=GRID, alpha=0.3, linewidth=0.6)
    axes.set_axisbelow(True)
    (axes.xaxis if horizontal else axes.yaxis).get_major_locator().set_params(integer=True)


def _legend(axes, handles: list) -> None:
    """Above the plot, in a row: it never hides a bar or a line."""
    axes.figure.legend(handles=handles, loc="outside upper left", ncols=min(len(handles), 4),
                       frameon=False, labelcolor=FOREGROUND)


def _svg(figure) -> str:
    """The figure's <svg> element, without the XML prolog, metadata or page-wide style."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    # matplotlib's `*{…}` rule would style the whole page once inline: set on the root instead
    svg = re.sub(r'\s*<style type="text/css">\*\{([^}]*)\}</style>', "", svg, count=1)
    svg = svg.replace("<svg ", '<svg style="stroke-linejoin: round; stroke-linecap: butt" ', 1)
    referenced = set(re.findall(r"#([\w-]+)\)|href=\"#([\w-]+)\"", svg))
    used = {name for pair in referenced for name in pair if name}
    return UNREFERENCED_ID.sub(lambda m: m.group(0) if m.group(1) in used else "", svg)


def _labelled(svg: str, chart: Chart) -> str:
    """The root marked as one image, named by its title and described by its alt text."""
    title_id, desc_id = f"{chart.name}-title", f"{chart.name}-desc"
    opening = svg.index(">", svg.index("<svg")) + 1
    return (svg[:opening].replace(
        "<svg ", f'<svg role="img" aria-labelledby="{title_id} {desc_id}" ', 1)
        + f'<title id="{title_id}">{html.escape(chart.title)}</title>'
        + f'<desc id="{desc_id}">{html.escape(chart.alt)}</desc>' + svg[opening:])


def _coloured(svg: str, colours: dict[str, str]) -> str:
    return re.sub("|".join(colours), lambda m: colours[m.group(0)], svg)
