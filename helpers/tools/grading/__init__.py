"""Graded workshops: ``python -m helpers.tools.grading [--release] [--seconds N] SUBMISSIONS``.

``--release`` builds nbgrader's source and released (blank) copies of every notebook in
``workshop/`` (`source`). Given a folder of learners' notebooks,
``SUBMISSIONS/<learner>/NN_name.ipynb`` (or nbgrader's
``SUBMISSIONS/<learner>/NN_name/NN_name.ipynb``), it grades every learner on their own
(`room`): the learner's solution cells run in a sandbox (`sandbox`), the checks run
outside it in a clean interpreter (`checker`), and solutions that call the reference or
read the answer key earn nothing (`policy`). It writes ``workshop/grades.csv`` (one row
per learner and exercise, with the reason when an exercise earned nothing),
``workshop/skipped.csv`` (what was not graded, and why) and ``workshop/grades.png``.
"""

from __future__ import annotations

from pathlib import Path

# The public names of `source`, read on first use: the checker (a module of this package)
# starts once per learner and must not pay for nbformat's import.
_SOURCE = {"BEGIN", "COURSE", "END", "POINTS", "ROOT", "_graded", "exercises", "nbgrader",
           "nbgrader_source", "release", "setup_course", "write_source"}


def __getattr__(name: str):
    if name in _SOURCE:
        from helpers.tools.grading import source

        return getattr(source, name)
    raise AttributeError(name)


def grade(submissions: Path, course: Path | None = None, seconds: float | None = None,
          workers: int | None = None) -> list[dict]:
    """Grade every learner's notebooks in `submissions`; write the CSVs and figure."""
    from helpers.tools.grading import report, room, source

    course = source.COURSE if course is None else course
    seconds = room.SECONDS if seconds is None else seconds
    if not submissions.is_dir():
        raise FileNotFoundError(
            f"SUBMISSIONS={submissions} is not a folder: put each learner's notebooks in "
            "SUBMISSIONS/<learner>/NN_name.ipynb"
        )
    course.mkdir(parents=True, exist_ok=True)
    rows, skipped = room.grade_room(submissions, course, seconds, workers)
    report.write_csv(rows, course / "grades.csv")
    report.write_skipped(skipped, course / "skipped.csv")
    for path, reason in skipped:
        print(f"skipped {path}: {reason}")
    if rows:
        report.plot_room(rows, course / "grades.png")
    learners = {r["learner"] for r in rows}
    print(f"graded  {len(learners)} learner(s), {len(rows)} rows: {course / 'grades.csv'}"
          f" (skipped: {len(skipped)}, {course / 'skipped.csv'})")
    return rows


def main(argv: list[str]) -> int:
    from helpers.tools.grading import room, source

    if "--release" in argv:
        for path in source.release():
            print(f"released {path}")
        return 0
    seconds = room.SECONDS
    if "--seconds" in argv:
        at = argv.index("--seconds")
        seconds = float(argv[at + 1])
        argv = argv[:at] + argv[at + 2:]
    if not argv:
        print(__doc__)
        return 2
    grade(Path(argv[0]).resolve(), seconds=seconds)
    return 0
