"""Collecting a room's submissions, never following a link out of the folder.

``SUBMISSIONS/<learner>/NN_name.ipynb`` (or nbgrader's ``<learner>/NN_name/NN_name.ipynb``).
A browser's second download, ``04_relu (1).ipynb``, counts as 04_relu; when a learner has
several copies of one notebook the most recently saved is graded and the others are
listed as skipped. Everything not graded is listed with the reason.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 20 * 2**20
NAME = re.compile(r"^(\d\d_[A-Za-z0-9_-]+?)(?:\s*\(\d+\)|[ _-]copy\d*|-Copy\d*)?\.ipynb$")


@dataclass
class Room:
    notebooks: dict[tuple[str, str], Path] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def collect(submissions: Path, lessons: set[str]) -> Room:
    room = Room()
    candidates: dict[tuple[str, str], list[tuple[float, int, Path]]] = {}

    def skip(path: Path, reason: str) -> None:
        room.skipped.append((str(path.relative_to(submissions)), reason))

    for entry in sorted(os.scandir(submissions), key=lambda e: e.name):
        path = Path(entry.path)
        if entry.is_symlink():
            skip(path, "a symbolic link (links are never followed)")
        elif not entry.is_dir(follow_symlinks=False):
            skip(path, "not in a learner's folder (SUBMISSIONS/<learner>/NN_name.ipynb)")
        elif entry.name.startswith("."):
            skip(path, "a hidden folder")
        else:
            found = _walk(path, entry.name, lessons, skip, candidates)
            if not found:
                skip(path, "no notebook of this series in it")
    for key, copies in sorted(candidates.items()):
        copies.sort(reverse=True)  # the newest first; the exact name first on a tie
        room.notebooks[key] = copies[0][2]
        for _, _, other in copies[1:]:
            skip(other, f"another copy of {key[1]}.ipynb: graded "
                        f"{copies[0][2].relative_to(submissions)} (saved last)")
    return room


def _walk(folder: Path, learner: str, lessons, skip, candidates) -> int:
    found = 0
    for root, dirs, files in os.walk(folder, followlinks=False):
        base = Path(root)
        for name in sorted(dirs):
            if (base / name).is_symlink():
                skip(base / name, "a symbolic link (links are never followed)")
            elif name in (".ipynb_checkpoints", "__pycache__"):
                skip(base / name, "JupyterLab's autosaves, not the submission")
        dirs[:] = sorted(d for d in dirs if not (base / d).is_symlink()
                         and d not in (".ipynb_checkpoints", "__pycache__"))
        for name in sorted(files):
            path = base / name
            info = path.lstat()
            match = NAME.match(name)
            if stat.S_ISLNK(info.st_mode):
                skip(path, "a symbolic link (links are never followed)")
            elif not stat.S_ISREG(info.st_mode):
                skip(path, "not a regular file")
            elif not name.endswith(".ipynb"):
                skip(path, "not a notebook")
            elif not match or match.group(1) not in lessons:
                skip(path, "not a notebook of this series (expected NN_name.ipynb)")
            elif info.st_size > MAX_BYTES:
                skip(path, f"larger than {MAX_BYTES // 2**20} MB")
            else:
                exact = int(name == f"{match.group(1)}.ipynb")
                candidates.setdefault((learner, match.group(1)), []).append(
                    (info.st_mtime, exact, path))
                found += 1
    return found


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing a link swapped in since it was listed."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read(MAX_BYTES + 1)[:MAX_BYTES]
