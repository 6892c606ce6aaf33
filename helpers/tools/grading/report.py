"""The room's results: ``grades.csv``, ``skipped.csv`` and ``grades.png``."""

from __future__ import annotations

import csv
from pathlib import Path

FIELDS = ["learner", "notebook", "exercise", "score", "max_score", "reason", "seconds"]


def cell(value):
    """A spreadsheet never runs a learner's text as a formula (``=HYPERLINK(...)`` in a
    folder name or an exception message): such a text starts with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(rows: list[dict], path: Path) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: cell(v) for k, v in row.items()} for row in rows)


def plot_room(rows: list[dict], path: Path) -> None:
    """A learner x exercise grid of scores (share of the points), with totals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    learners = sorted({r["learner"] for r in rows})
    ex = list(dict.fromkeys((r["notebook"], r["exercise"]) for r in rows))
    grid = np.full((len(learners), len(ex)), np.nan)
    for r in rows:
        i = learners.index(r["learner"])
        j = ex.index((r["notebook"], r["exercise"]))
        grid[i, j] = r["score"] / r["max_score"]
    fig, ax = plt.subplots(
        figsize=(max(6, 0.8 * len(ex) + 4), max(3.5, 0.45 * len(learners) + 2.5))
    )
    image = ax.imshow(grid, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(grid):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(ex)), [e for _, e in ex], rotation=45, ha="right")
    totals = [
        f"{name} ({sum(r['score'] for r in rows if r['learner'] == name):g}/"
        f"{sum(r['max_score'] for r in rows if r['learner'] == name):g})"
        for name in learners
    ]
    ax.set_yticks(range(len(learners)), totals)
    ax.set_xlabel("exercise (notebook_function)")
    ax.set_ylabel("learner (points)")
    done = np.nanmean(grid, axis=0)
    ax.set_title(
        f"The room: {len(learners)} learners, {len(ex)} exercises\n"
        f"hardest: {ex[int(np.nanargmin(done))][1]} ({np.nanmin(done):.0%} of points)",
        fontsize=10,
    )
    fig.colorbar(image, ax=ax, label="share of the points")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)



def write_skipped(skipped: list[tuple[str, str]], path: Path) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "reason"])
        writer.writerows([cell(p), cell(r)] for p, r in skipped)
