"""The review pack's charts, drawn with matplotlib (Agg: no display) as PNG bytes.

Every chart has a title, axis labels with their units, and tells its series apart in black and white:
greys and hatches, never colour alone (packs are printed on office printers and read in grey). Text is set
in the letters' fonts (COOPBOT_LETTER_FONTS: Liberation Serif, then Hanazono for Chinese), each character in
the first font that has it, as in the PDF around the charts.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager
from matplotlib.figure import Figure

# Hanazono's one weight is 500: matplotlib says so at every look-up, and uses it, which is what we want.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
GREYS = ("#303030", "#808080", "#c0c0c0", "#ffffff", "#a0a0a0", "#505050")
HATCHES = ("", "///", "...", "xx", "\\\\", "++")
DPI = 150
WIDTH, HEIGHT = 6.4, 3.0  # inches: the page's text width, a third of its height
_lock = threading.Lock()  # matplotlib's font manager and rc settings are per process
_families: dict[tuple[str, ...], list[str]] = {}


def font_families(paths: Sequence[str]) -> list[str]:
    """The font files registered with matplotlib once per process; their family names, in order (matplotlib
    falls back along the list per character)."""
    key = tuple(paths)
    if key not in _families:
        names = []
        for path in key:
            if Path(path).is_file():
                font_manager.fontManager.addfont(path)
                names.append(font_manager.FontProperties(fname=path).get_name())
        _families[key] = list(dict.fromkeys(names)) or ["DejaVu Serif"]
    return _families[key]


def _style(i: int) -> dict[str, object]:
    return {"color": GREYS[i % len(GREYS)], "hatch": HATCHES[i % len(HATCHES)], "edgecolor": "black",
            "linewidth": 0.6}


def _figure(families: list[str], height: float = HEIGHT) -> Figure:
    figure = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    figure.set_facecolor("white")
    return figure


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def _rc(families: list[str]) -> Any:  # matplotlib types the keys as a Literal of every setting
    return {"font.family": families, "font.size": 8, "axes.titlesize": 10, "hatch.linewidth": 0.5,
            "axes.unicode_minus": False}


def stacked_bars(families: list[str], title: str, xlabel: str, ylabel: str, groups: Sequence[str],
                 series: Sequence[tuple[str, Sequence[float]]], *, horizontal: bool = False,
                 height: float = HEIGHT) -> bytes:
    """Bars per group (a quarter, a category), each stacked from the series; a legend names the series."""
    with _lock, matplotlib.rc_context(_rc(families)):
        figure = _figure(families, height)
        axes = figure.add_subplot()
        base = [0.0] * len(groups)
        positions = list(range(len(groups)))
        for i, (name, values) in enumerate(series):
            if horizontal:
                axes.barh(positions, values, left=base, label=name, **_style(i))  # type: ignore[arg-type]
            else:
                axes.bar(positions, values, bottom=base, label=name, **_style(i))  # type: ignore[arg-type]
            base = [b + v for b, v in zip(base, values, strict=True)]
        limit = (0, max([1.0, *base]) * 1.15)  # nothing to count still draws an axis from zero
        if horizontal:
            axes.set_xlim(*limit)
            axes.set_yticks(positions, list(groups))
            axes.invert_yaxis()
        else:
            axes.set_ylim(*limit)
            axes.set_xticks(positions, list(groups))
        _label(axes, title, xlabel, ylabel, integer_axis="x" if horizontal else "y")
        if len(series) > 1:
            axes.legend(loc="best", fontsize=7, frameon=True)
        return _png(figure)


def grouped_bars(families: list[str], title: str, xlabel: str, ylabel: str, groups: Sequence[str],
                 series: Sequence[tuple[str, Sequence[float | None]]], *, no_data: str) -> bytes:
    """Side-by-side bars per group; a missing value is written as `no_data` where its bar would be."""
    with _lock, matplotlib.rc_context(_rc(families)):
        figure = _figure(families)
        axes = figure.add_subplot()
        width = 0.8 / max(1, len(series))
        top = max([v for _, values in series for v in values if v is not None] or [1.0]) or 1.0
        for i, (name, values) in enumerate(series):
            xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
            axes.bar(xs, [v or 0 for v in values], width, label=name, **_style(i * 2))  # type: ignore[arg-type]
            for x, v in zip(xs, values, strict=True):
                axes.annotate(no_data if v is None else f"{v:g}", (x, v or 0), xytext=(0, 2),
                              textcoords="offset points", ha="center", fontsize=6)
        axes.set_ylim(0, top * 1.2)
        axes.set_xticks(range(len(groups)), list(groups))
        _label(axes, title, xlabel, ylabel)
        axes.legend(loc="upper left", fontsize=7)
        return _png(figure)


def grouped_hbars(families: list[str], title: str, xlabel: str, ylabel: str, names: Sequence[str],
                  series: Sequence[tuple[str, Sequence[float]]]) -> bytes:
    """Horizontal side-by-side bars per name (a plan line: planned, then placed), each bar's value written at
    its end; the series told apart by grey and hatch, a legend naming them."""
    height = max(HEIGHT * 0.8, 1.0 + 0.16 * len(names) * max(1, len(series)))
    with _lock, matplotlib.rc_context(_rc(families)):
        figure = _figure(families, height)
        axes = figure.add_subplot()
        width = 0.8 / max(1, len(series))
        for i, (name, values) in enumerate(series):
            ys = [g + (i - (len(series) - 1) / 2) * width for g in range(len(names))]
            axes.barh(ys, values, width, label=name, **_style(i * 2 + 1))  # type: ignore[arg-type]
            for y, v in zip(ys, values, strict=True):
                axes.annotate(f"{v:g}", (v, y), xytext=(2, 0), textcoords="offset points", va="center", fontsize=6)
        top = max([1.0, *(v for _, values in series for v in values)])
        axes.set_xlim(0, top * 1.15)
        axes.set_yticks(range(len(names)), list(names))
        axes.invert_yaxis()
        _label(axes, title, xlabel, ylabel, integer_axis="x")
        axes.legend(loc="best", fontsize=7, frameon=True)
        return _png(figure)


def threshold_bars(families: list[str], title: str, xlabel: str, ylabel: str, names: Sequence[str],
                   values: Sequence[float], threshold: float, threshold_label: str, met: str, not_met: str) -> bytes:
    """Horizontal bars against a dashed line: solid grey where the value reaches it, hatched white where not."""
    height = max(HEIGHT * 0.8, 0.9 + 0.22 * len(names))
    with _lock, matplotlib.rc_context(_rc(families)):
        figure = _figure(families, height)
        axes = figure.add_subplot()
        positions = list(range(len(names)))
        reached = [v >= threshold for v in values]
        for flag, label, style in ((True, met, _style(1)), (False, not_met, _style(3) | {"hatch": "///"})):
            chosen = [i for i in positions if reached[i] == flag]
            if chosen:
                axes.barh(chosen, [values[i] for i in chosen], label=label, **style)  # type: ignore[arg-type]
        axes.axvline(threshold, color="black", linestyle="--", linewidth=1, label=threshold_label)
        axes.set_yticks(positions, list(names))
        axes.invert_yaxis()
        axes.set_xlim(0, max([threshold * 1.25, *values]))
        _label(axes, title, xlabel, ylabel)
        axes.legend(loc="lower right", fontsize=7)
        return _png(figure)


def _label(axes: object, title: str, xlabel: str, ylabel: str, integer_axis: str | None = None) -> None:
    from matplotlib.axes import Axes
    from matplotlib.ticker import MaxNLocator

    assert isinstance(axes, Axes)
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(axis="x" if integer_axis == "x" else "y", color="#d0d0d0", linewidth=0.5)
    axes.set_axisbelow(True)
    if integer_axis == "y":
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    elif integer_axis == "x":
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
