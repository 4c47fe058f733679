"""The outcome heatmap: cases x every release, one colour per outcome, PNG.

What matters is where a case goes wrong or crashes, so those are the only
strong colours: ``pass`` is pale, ``wrong`` vermillion, ``crash`` black,
``error`` and ``timeout`` in between, and what says nothing about the
arithmetic (unsupported, skip, not measured) is grey or white.

Rows are grouped by op (``harness.facets``), with the op named at the right.
By default a case whose outcome never changes is not drawn on a row of its
own: the constant cases of one op and outcome share one row, labelled
``+N always pass`` (``changes_only=False`` draws every row).  Release labels
are at the top and the bottom; a new major version gets a thick line and a
bold label, a new minor line a thin one.  ``compact=True`` is the picture
for a README: a fixed 8 in width at 200 dpi (legible shown 800 px wide),
labels only at the first release of each line.  matplotlib is imported on
first use, with the Agg backend (no display).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from packaging.version import InvalidVersion, Version

from harness import facets

# outcome -> (fill, text colour); "" is "not measured"
PALETTE: dict[str, tuple[str, str]] = {
    "pass": ("#D4E6F1", "#000000"),  # pale blue: the usual case, quiet
    "wrong": ("#D55E00", "#FFFFFF"),  # vermillion (Okabe-Ito)
    "error": ("#F2DC7A", "#000000"),  # soft yellow: a clean exception, not a wrong number
    "crash": ("#000000", "#FFFFFF"),
    "timeout": ("#CC79A7", "#000000"),  # reddish purple (Okabe-Ito)
    "unsupported": ("#A6A6A6", "#000000"),  # grey: says nothing about the arithmetic
    "skip": ("#E6E6E6", "#000000"),
    "": ("#FFFFFF", "#000000"),
}
QUIET = {"", "skip"}  # never make a row "changing" on their own


def row_labels(index: pd.MultiIndex, machines: dict[str, str]) -> list[str]:
    """``case``, with ``[variant]`` and ``@m1`` when those vary over the rows."""
    frame = index.to_frame(index=False)
    show_variant = frame["variant"].nunique() > 1
    show_machine = frame["machine"].nunique() > 1
    labels = []
    for case, variant, machine in index:
        text = case + (f" [{variant}]" if show_variant else "")
        labels.append(text + (f" @{machines.get(machine, machine)}" if show_machine else ""))
    return labels


def changes(values: pd.Series | list[str]) -> bool:
    """Whether a row of outcomes has two different measured outcomes (skips aside)."""
    return len(set(values) - QUIET) > 1


@dataclass(frozen=True)
class Line:
    """One drawn row: a case series, or several constant cases collapsed."""

    op: str
    label: str
    values: tuple[str, ...]
    cases: int = 1


def lines(grid: pd.DataFrame, machines: dict[str, str], *, changes_only: bool = True) -> list[Line]:
    """The rows to draw, grouped by op (ops and cases in name order).

    With ``changes_only``, the rows of one op that never change and have the
    same outcome become one ``+N always <outcome>`` row after the op's
    changing rows (a single such case keeps its own name); its cells are,
    per release, the most common value of its members.
    """
    labels = row_labels(grid.index, machines)
    ops = [facets.of(case).op for case in grid.index.get_level_values("case")]
    order = sorted(range(len(grid)), key=lambda i: (ops[i], labels[i]))
    out: list[Line] = []
    for op in dict.fromkeys(ops[i] for i in order):
        members = [i for i in order if ops[i] == op]
        constant: dict[str, list[int]] = {}
        for i in members:
            values = tuple(grid.iloc[i])
            if changes_only and not changes(values):
                outcome = next(iter(set(values) - QUIET), "skip" if "skip" in values else "")
                constant.setdefault(outcome, []).append(i)
            else:
                out.append(Line(op, labels[i], values))
        for outcome, rows in sorted(constant.items(), key=lambda kv: -len(kv[1])):
            if len(rows) == 1:
                out.append(Line(op, labels[rows[0]], tuple(grid.iloc[rows[0]])))
                continue
            block = grid.iloc[rows]
            values = tuple(block[c].value_counts().index[0] for c in grid.columns)
            out.append(Line(op, f"+{len(rows)} always {outcome or 'unmeasured'}", values, len(rows)))
    return out


def _version(label: str) -> Version | None:
    try:
        return Version(str(label).split(" ")[0])
    except InvalidVersion:
        return None


def _starts(columns: list[str]) -> tuple[list[int], list[int]]:
    """Column positions where a new major version and a new minor line begin."""
    versions = [_version(c) for c in columns]
    major, minor = [], []
    for i in range(1, len(columns)):
        old, new = versions[i - 1], versions[i]
        if old is None or new is None:
            continue
        if new.major != old.major:
            major.append(i)
        elif new.release[:2] != old.release[:2]:
            minor.append(i)
    return major, minor


def _labelled(n_cols: int, major: list[int], minor: list[int], *, gap: int) -> list[int]:
    """Columns to label in a compact picture: the first, each major start,
    and minor-line starts at least ``gap`` columns from any other label."""
    chosen = sorted({*major, *([0] if all(i >= gap for i in major) else [])})
    for i in minor:
        if all(abs(i - j) >= gap for j in chosen):
            chosen.append(i)
            chosen.sort()
    return chosen


def draw(grid: pd.DataFrame, path: Path, *, title: str, machines: dict[str, str],
         changes_only: bool = True, compact: bool = False) -> Path:
    """Write the heatmap of ``grid`` (report.grid: outcome strings) to ``path``
    as a palette PNG (see the module docstring for what is drawn)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib import transforms
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    rows = lines(grid, machines, changes_only=changes_only)
    columns = [str(c) for c in grid.columns]
    names = list(PALETTE)
    codes = [[names.index(v) for v in line.values] for line in rows]
    n_rows, n_cols = len(rows), len(columns)
    small = 6.5 if compact or n_cols > 40 else 8.0
    if compact:
        width, dpi = 8.0, 200
        height = 1.9 + 0.115 * n_rows
    else:
        width, dpi = min(max(6.0, 3.8 + 0.13 * n_cols), 60.0), 130
        height = 2.4 + 0.17 * n_rows
    fig, ax = plt.subplots(figsize=(width, min(height, 60.0)), dpi=dpi)
    cmap = ListedColormap([PALETTE[n][0] for n in names])
    norm = BoundaryNorm([i - 0.5 for i in range(len(names) + 1)], cmap.N)
    ax.imshow(codes, aspect="auto", interpolation="nearest", cmap=cmap, norm=norm)
    # thin white lines between rows (and, in the big picture, between releases), so
    # neighbouring cells of one colour stay countable; fewer lines, fewer bytes
    if not compact:
        ax.set_xticks([i - 0.5 for i in range(1, n_cols)], minor=True)
    ax.set_yticks([i - 0.5 for i in range(1, n_rows)], minor=True)
    ax.grid(which="minor", color="white", linewidth=0.4)
    ax.tick_params(which="minor", length=0)
    major, minor = _starts(columns)
    for i in minor:
        ax.axvline(i - 0.5, color="#777777", linewidth=0.3)
    for i in major:
        ax.axvline(i - 0.5, color="#222222", linewidth=1.6)
    # op groups: a line between them and the op's name at the right
    to_right = transforms.blended_transform_factory(ax.transAxes, ax.transData)
    start = 0
    for i in range(1, n_rows + 1):
        if i == n_rows or rows[i].op != rows[start].op:
            if i < n_rows:
                ax.axhline(i - 0.5, color="#222222", linewidth=0.9)
            ax.text(1.008, start - 0.5, rows[start].op, transform=to_right, fontsize=small,
                    fontweight="bold", va="top", ha="left")
            start = i
    shown = _labelled(n_cols, major, minor, gap=max(1, round(n_cols / 36))) if compact else range(n_cols)
    ax.set_xticks(shown, [columns[i] for i in shown], rotation=90, fontsize=small)
    ax.tick_params(axis="x", top=True, labeltop=True, length=2)
    for label in ax.get_xticklabels():
        if columns.index(label.get_text()) in [0, *major]:
            label.set_fontweight("bold")
    ax.set_yticks(range(n_rows), [line.label for line in rows], fontsize=small)
    ax.tick_params(axis="y", length=0)
    for label, line in zip(ax.get_yticklabels(), rows):
        if line.cases > 1:
            label.set_fontstyle("italic")
    ax.set_title(title, fontsize=small + 2, loc="left")
    present = {v for line in rows for v in line.values}
    handles = [Patch(facecolor=PALETTE[n][0], edgecolor="#888888", label=n or "not measured")
               for n in names if n in present]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=small,
               frameon=False, handlelength=1.2, columnspacing=1.0)
    fig.tight_layout(rect=(0, 0.045 if compact else 0.03, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_palette_png(buffer.getvalue()))
    return path


def _palette_png(png: bytes) -> bytes:
    """The same picture with at most 64 colours: a third of the bytes, nothing lost to the eye."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT,
                                                                  dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
