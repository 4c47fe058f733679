"""The outcome heatmap: cases x every release, one colour per outcome, PNG.

Readable at ~130 releases x ~70 case rows: the figure grows with the grid
(about 0.13 in a release, 0.17 in a row), tick labels are small, major
versions (and different cases, when a case has rows for several variants
or machines) are separated by thin dark lines, and the palette is
Okabe-Ito's colourblind-safe one, with black for crashes and greys/white
for what says nothing about the arithmetic (unsupported, skip, not measured).
matplotlib is imported on first use, with the Agg backend (no display).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from packaging.version import InvalidVersion, Version

# outcome -> (fill, text colour); "" is "not measured"
PALETTE: dict[str, tuple[str, str]] = {
    "pass": ("#0072B2", "#FFFFFF"),  # blue
    "wrong": ("#D55E00", "#FFFFFF"),  # vermillion
    "error": ("#F0E442", "#000000"),  # yellow
    "crash": ("#000000", "#FFFFFF"),
    "timeout": ("#CC79A7", "#000000"),  # reddish purple
    "unsupported": ("#8C8C8C", "#FFFFFF"),  # mid grey: says nothing about the arithmetic
    "skip": ("#D9D9D9", "#000000"),
    "": ("#FFFFFF", "#000000"),
}


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


def _major(label: str) -> int | None:
    try:
        return Version(label.split(" ")[0]).major
    except InvalidVersion:
        return None


def draw(grid: pd.DataFrame, path: Path, *, title: str, machines: dict[str, str]) -> Path:
    """Write the heatmap of ``grid`` (report.grid: outcome strings) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    names = list(PALETTE)
    codes = grid.apply(lambda col: col.map(names.index)).to_numpy(dtype=float)
    n_rows, n_cols = codes.shape
    width = min(max(6.0, 3.0 + 0.13 * n_cols), 60.0)
    height = min(max(2.5, 1.6 + 0.17 * n_rows), 60.0)
    fig, ax = plt.subplots(figsize=(width, height), dpi=130)
    cmap = ListedColormap([PALETTE[n][0] for n in names])
    norm = BoundaryNorm([i - 0.5 for i in range(len(names) + 1)], cmap.N)
    ax.imshow(codes, aspect="auto", interpolation="nearest", cmap=cmap, norm=norm)
    # thin white grid between cells, so neighbouring cells of one colour stay countable
    ax.set_xticks([i - 0.5 for i in range(1, n_cols)], minor=True)
    ax.set_yticks([i - 0.5 for i in range(1, n_rows)], minor=True)
    ax.grid(which="minor", color="white", linewidth=0.4)
    ax.tick_params(which="minor", length=0)
    cases = list(grid.index.get_level_values("case"))
    if len(set(cases)) < n_rows:  # several variants/machines per case: box each case's rows
        for i in range(1, n_rows):
            if cases[i] != cases[i - 1]:
                ax.axhline(i - 0.5, color="#444444", linewidth=0.8)
    majors = [_major(str(c)) for c in grid.columns]
    for i in range(1, n_cols):
        if majors[i] != majors[i - 1]:
            ax.axvline(i - 0.5, color="#444444", linewidth=1.0)
    ax.set_xticks(range(n_cols), [str(c) for c in grid.columns], rotation=90,
                  fontsize=6 if n_cols > 40 else 8)
    ax.set_yticks(range(n_rows), row_labels(grid.index, machines), fontsize=6 if n_rows > 30 else 8)
    ax.set_title(title, fontsize=10, loc="left")
    shown = [n for n in names if n and (grid == n).to_numpy().any()]
    handles = [Patch(facecolor=PALETTE[n][0], edgecolor="#888888", label=n) for n in shown]
    if (grid == "").to_numpy().any():
        handles.append(Patch(facecolor="#FFFFFF", edgecolor="#888888", label="not measured"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7,
              frameon=False, title="outcome", title_fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
