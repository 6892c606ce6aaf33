"""Learner copies with blank exercises: ``python -m helpers.tools.student [OUT] [--force]``.

``make lab`` runs this before opening JupyterLab, so a learner starts in ``learner/``
(git-ignored, beside ``notebooks/``, so ``../images/...`` links still work) where every
exercise is blank and the lesson's other outputs are kept.

What a learner copy changes in a solved notebook:

- a code cell tagged ``solution`` keeps what lies outside its ``### BEGIN SOLUTION`` /
  ``### END SOLUTION`` region (the ``def`` line, the signature); the region becomes
  ``# YOUR CODE HERE`` / ``raise NotImplementedError`` inside a function (nbgrader's
  convention: the check catches it and says "not done yet"), and ``name = ...`` for an
  answer written at the top level. A cell without markers keeps its ``def`` line and loses
  its body the same way.
- the outputs of solution cells and of the check right after each are cleared, so no
  verdict or answer leaks;
- the title cell says where the answer key is (``../notebooks/NN_name.ipynb``), and so does
  each exercise's hint.

A learner's work is never overwritten: a copy that exists is kept and reported
(``--force`` is refused; delete or rename a copy to get a fresh one). When its lesson has
changed since, the copy's first cell gets a notice saying so and what to do (that block
only; the rest of the file is kept). A copy that cannot be opened (empty, not JSON) is
left as it is, named with the remedy, and a fresh copy is written beside it
(``NN_name.fresh.ipynb``). A file named ``learner`` is refused with a message.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
LEARNER = ROOT / "learner"
TAG = "solution"
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
ANSWER_KEY_NOTE = "learner_copy"  # notebook metadata key


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _assigned_names(lines: list[str]) -> list[str]:
    names = []
    for line in lines:
        match = re.match(r"^(\w+)\s*=(?!=)", line)
        if match and match.group(1) not in names:
            names.append(match.group(1))
    return names


def _stub(indent: str, region: list[str]) -> list[str]:
    """What replaces a solution region: a function body or top-level answers."""
    if indent:
        return [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError"]
    names = _assigned_names(region)
    if names:
        return [f"{name} = ...  # YOUR ANSWER HERE" for name in names]
    return ["# YOUR CODE HERE"]


def _blank_marked(lines: list[str]) -> list[str]:
    out: list[str] = []
    region: list[str] | None = None
    indent = ""
    for line in lines:
        if line.strip() == BEGIN:
            region, indent = [], _indent(line)
        elif line.strip() == END and region is not None:
            out += _stub(indent, region)
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    return out


def _blank_unmarked(lines: list[str]) -> list[str]:
    out: list[str] = []
    in_def = False
    for line in lines:
        if line.startswith("def "):
            out += [line, "    # YOUR CODE HERE", "    raise NotImplementedError", ""]
            in_def = True
            continue
        if in_def and (line.startswith((" ", "\t")) or not line.strip()):
            continue  # the body of the solution
        in_def = False
        match = re.match(r"^(\w+)\s*=(?!=)", line)
        if match:  # an answer like `my_shape = (26, 26, 32)`
            out.append(f"{match.group(1)} = ...  # YOUR ANSWER HERE")
    return out


def blank(source: str) -> str:
    """The learner's version of a solution cell's source."""
    lines = source.splitlines()
    marked = any(line.strip() == BEGIN for line in lines)
    out = _blank_marked(lines) if marked else _blank_unmarked(lines)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) if out else "# YOUR CODE HERE"


def is_hint(cell) -> bool:
    return cell.cell_type == "markdown" and "<summary>Hint" in cell.source


def answer_key_line(name: str) -> str:
    return (
        f"Still stuck? The solved notebook is the answer key: "
        f"[../notebooks/{name}](../notebooks/{name})."
    )


def _add_answer_key_to_hint(cell, name: str) -> None:
    line = answer_key_line(name)
    if line in cell.source:
        return
    if "</details>" in cell.source:
        head, _, tail = cell.source.rpartition("</details>")
        cell.source = f"{head.rstrip()}\n\n{line}\n</details>{tail}"
    else:
        cell.source = f"{cell.source.rstrip()}\n\n{line}"


SIBLING_LINK = re.compile(r"\]\((?!\.\./|/|#|\w+:)([\w./-]+?\.(?!ipynb\))\w+)([#)])")


def _relink(source: str) -> str:
    """Links to files beside the solved notebooks (not notebooks) point back to them."""
    return SIBLING_LINK.sub(
        lambda m: f"](../notebooks/{m.group(1)}{m.group(2)}"
        if (NOTEBOOKS / m.group(1)).exists()
        else m.group(0),
        source,
    )


def student_copy(nb, name: str | None = None):
    """Return a learner copy of notebook `nb` (modified in place).

    `name` is the solved notebook's file name; with it, the title cell and every
    exercise's hint link to ``../notebooks/{name}`` (the answer key), and an exercise
    without a hint gets one that says where the answer key is.
    """
    cleared_next = False
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and TAG in cell.metadata.get("tags", []):
            if name is not None:
                # The hint of this exercise: the markdown just before, if it is one.
                previous = cells[-1] if cells else None
                if previous is not None and is_hint(previous):
                    _add_answer_key_to_hint(previous, name)
                else:
                    hint = nbformat.v4.new_markdown_cell(
                        "<details><summary>Hint</summary>\n\n"
                        f"{answer_key_line(name)}\n</details>"
                    )
                    hint.id = f"{cell.get('id', index)}-key"[:64]
                    cells.append(hint)
            cell.source = blank(cell.source)
            cell.outputs = []
            cell.execution_count = None
            cleared_next = True
        elif cell.cell_type == "code" and cleared_next:
            # the check right after a solution shows its verdict
            cell.outputs = []
            cell.execution_count = None
            cleared_next = False
        if cell.cell_type == "markdown" and name is not None:
            cell.source = _relink(cell.source)
        cells.append(cell)
    nb.cells = cells
    if name is not None and nb.cells and nb.cells[0].cell_type == "markdown":
        note = (
            "> **Your copy.** The exercises below are blank for you to do; your work "
            "here is never overwritten by `make lab`. The solved notebook, the answer "
            f"key, is [../notebooks/{name}](../notebooks/{name})."
        )
        if note not in nb.cells[0].source:
            nb.cells[0].source = f"{nb.cells[0].source.rstrip()}\n\n{note}"
    return nb


def source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def build(path: Path):
    """The learner copy of the solved notebook at `path`, tagged with its source digest."""
    nb = student_copy(nbformat.read(path, as_version=4), name=path.name)
    nb.metadata[ANSWER_KEY_NOTE] = {
        "answer_key": f"../notebooks/{path.name}",
        "built_from_sha256": source_digest(path),
    }
    return nb


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


CHANGED_BEGIN = "<!-- lesson-changed -->"
CHANGED_END = "<!-- /lesson-changed -->"


def changed_notice(name: str) -> str:
    """What a copy whose lesson has changed says at the top of its first cell."""
    stem = Path(name).stem
    return (
        f"{CHANGED_BEGIN}\n> **The lesson has changed since this copy was made.** Your "
        "work here is kept as it is. To get the new version, rename this file (for "
        f"example to `{stem}_mine.ipynb`) and run `make lab` again: a fresh copy appears "
        f"beside yours. The lesson as it is now: [../notebooks/{name}](../notebooks/{name})."
        f"\n{CHANGED_END}"
    )


def _with_changed_notice(source: str, name: str) -> str:
    """`source` with the notice at its top (an older notice is replaced)."""
    pattern = re.compile(re.escape(CHANGED_BEGIN) + r".*?" + re.escape(CHANGED_END) + r"\n*",
                         flags=re.DOTALL)
    return f"{changed_notice(name)}\n\n{pattern.sub('', source).lstrip()}"


def _note_lesson_changed(target: Path, nb, name: str) -> bool:
    """Put the notice in the copy's first cell; True if the file had to change.

    Only that cell's notice block is written: every cell, output and metadata of the
    learner's copy is kept. The file is replaced in one step (written beside it, then
    renamed), so an interruption never leaves half a notebook.
    """
    if not nb.cells:
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(""))
    first = nb.cells[0]
    if first.cell_type != "markdown":
        first = nbformat.v4.new_markdown_cell("")
        first.id = "lesson-changed"
        nb.cells.insert(0, first)
    updated = _with_changed_notice(first.source, name)
    if updated == first.source:
        return False
    first.source = updated
    partial = target.with_name(f".{target.name}.partial")
    nbformat.write(nb, partial)
    partial.replace(target)
    return True


def _fresh_name(target: Path) -> Path:
    """A name beside `target` for a fresh copy: NN_name.fresh.ipynb (then .fresh-2 ...)."""
    for n in range(1, 100):
        suffix = ".fresh" if n == 1 else f".fresh-{n}"
        candidate = target.with_name(f"{target.stem}{suffix}{target.suffix}")
        if not candidate.exists():
            return candidate
        try:
            nbformat.read(candidate, as_version=4)
            return candidate  # a readable fresh copy from an earlier run: keep using it
        except Exception:
            continue
    raise RuntimeError(f"too many fresh copies beside {target}")


def _read_error(target: Path) -> str | None:
    """Why the notebook at `target` cannot be opened, or None if it can."""
    if target.stat().st_size == 0:
        return "it is empty"
    try:
        nb = nbformat.read(target, as_version=4)
    except Exception as error:  # JSON cut short, not a notebook at all
        first = str(error).strip().splitlines()[:1]
        return f"it is not a notebook JupyterLab can open ({type(error).__name__}" + (
            f": {first[0][:80]})" if first else ")")
    if not isinstance(nb.get("cells"), list):
        return "it is not a notebook JupyterLab can open (it has no list of cells)"
    # A notebook that reads but breaks a detail of the schema still opens in
    # JupyterLab (with a warning): it is the learner's, kept as it is.
    return None


def make_copies(out: Path = LEARNER, paths: list[Path] | None = None) -> dict[str, str]:
    """Write the missing learner copies into `out`; never replace one that exists.

    Returns ``{file name: what happened}``: "created"; "kept"; "kept (lesson changed
    since)" (the copy's first cell then says so, and what to do); or "unreadable (fresh
    copy: NAME)" for a copy that cannot be opened, which is left as it is while a fresh
    copy is written beside it. Every line is also printed.
    """
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(
            f"{_show(out)} is a file, not a folder: the learner copies go in a folder of "
            f"that name. Rename the file (for example to {out.name}.old), then run "
            "`make lab` again."
        )
    out.mkdir(parents=True, exist_ok=True)
    done = {}
    for path in paths if paths is not None else notebooks():
        target = out / path.name
        if target.exists():
            problem = _read_error(target)
            if problem is not None:
                fresh = _fresh_name(target)
                if not fresh.exists():
                    nbformat.write(build(path), fresh)
                done[path.name] = f"unreadable (fresh copy: {fresh.name})"
                print(f"UNREADABLE {_show(target)}: {problem}. It is left as it is "
                      f"(yours: rescue what you can, then delete or rename it); a fresh "
                      f"copy is at {_show(fresh)}.")
                continue
            nb = nbformat.read(target, as_version=4)
            built = nb.metadata.get(ANSWER_KEY_NOTE, {})
            changed = built.get("built_from_sha256") not in (None, source_digest(path))
            done[path.name] = "kept (lesson changed since)" if changed else "kept"
            extra = ""
            if changed:
                _note_lesson_changed(target, nb, path.name)
                extra = ("; the lesson has changed since, as its first cell now says: "
                         "rename yours to get a fresh copy")
            print(f"kept    {_show(target)} (yours, not overwritten{extra})")
            continue
        nbformat.write(build(path), target)
        done[path.name] = "created"
        print(f"created {_show(target)}")
    return done


def _show(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str]) -> int:
    if "--force" in argv:
        print("--force is refused: a learner's work is never overwritten. Rename or "
              "delete a copy to get a fresh one.")
        return 2
    out = Path(argv[0]) if argv else LEARNER
    try:
        make_copies(out)
    except NotADirectoryError as error:
        print(error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
