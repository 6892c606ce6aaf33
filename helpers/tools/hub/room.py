"""A room's folders on the workshop server: one per learner, and collecting their work.

The room folder (``ROOM``, ``build/hub/room`` unless the instructor names another) holds
one folder per learner, which is that learner's home and the root of their Jupyter server::

    ROOM/ada/                 the learner's own, mode 0700 (other learners cannot list it)
      learner/NN_name.ipynb   their learner copies: made at first login, never overwritten
      notebooks -> <repo>/notebooks   the answer key (a link; read-only: owned by the hub)
      images -> <repo>/images          the figures the notebooks show
      models/                 where their notebook 09 saves the model and 10, 11 load it

The learner copies are the ones ``make lab`` writes (`helpers.tools.student`), so the
relative links of a copy (``../notebooks/NN_name.ipynb``, ``../images/...``) work in the
hub as on a laptop. `collect` copies every learner's notebooks into the layout that
``make grade`` reads: ``SUBMISSIONS/<learner>/NN_name.ipynb``.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from helpers.tools import student

ROOT = student.ROOT
ROOM = ROOT / "build" / "hub" / "room"
# A learner's name: what JupyterHub accepts at login (lower case after normalising) and
# what a system account can be called with the `ACCOUNT_PREFIX` in front (32 at most).
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")
NAME_RULE = "a letter, then up to 19 lower-case letters, digits, '_' or '-'"
SHARED = {"notebooks": student.NOTEBOOKS, "images": ROOT / "images"}


def check_name(name: str) -> str:
    """Return `name` if it can name a learner's folder and account, else raise ValueError."""
    if not isinstance(name, str) or not NAME.match(name):
        raise ValueError(f"learner name {name!r} is not allowed: use {NAME_RULE}")
    return name


def learner_home(room: Path, name: str) -> Path:
    """The folder of learner `name` in `room` (not created)."""
    return Path(room) / check_name(name)


def prepare_room(room: Path) -> Path:
    """Create `room` (mode 0711: learners can reach their own folder, not list others)."""
    room = Path(room)
    room.mkdir(parents=True, exist_ok=True)
    room.chmod(0o711)
    return room


def prepare_learner(room: Path, name: str, uid: int | None = None,
                    gid: int | None = None) -> Path:
    """Create learner `name`'s folder, its links and subfolders; return the folder.

    Parameters
    ----------
    room : the room folder (see the module's docstring).
    name : the learner's hub name (`check_name`).
    uid, gid : the owner of what is created (the learner's account when the hub runs as
        root); None leaves it to the current user.

    Only what is missing is created, and nothing is written through a link a learner
    made (a learner owns their folder and may rename or replace what is in it).
    """
    home = learner_home(prepare_room(room), name)
    created = []
    if not home.exists():
        home.mkdir(mode=0o700)
        created.append(home)
    for folder in (home / "learner", home / "models"):
        if not folder.exists() and not folder.is_symlink():
            folder.mkdir(mode=0o700)
            created.append(folder)
    for link, target in SHARED.items():
        path = home / link
        if not path.is_symlink() and not path.exists():
            path.symlink_to(target, target_is_directory=True)
            created.append(path)
    if uid is not None and home.stat().st_uid != uid:
        # The learner's account was made again (a new uid): their folder follows it.
        created += [Path(top) / name for top, dirs, files in os.walk(home)
                    for name in dirs + files]
        created.append(home)
    if uid is not None:
        for path in created:
            os.chown(path, uid, gid if gid is not None else -1, follow_symlinks=False)
    home.chmod(0o700)
    return home


def make_learner_copies(home: Path, wrap: list[str] | None = None) -> str:
    """Write the missing learner copies in ``home/learner``; return what was done.

    Runs ``python -m helpers.tools.student home/learner`` (which never overwrites a
    copy), behind `wrap` when given: the hub, as root, passes the learner's sandbox
    (`spawner.sandbox`), so that the copies belong to the learner and nothing is written
    where the learner could not write.
    """
    result = subprocess.run(
        [*(wrap or []), sys.executable, "-m", "helpers.tools.student",
         str(Path(home) / "learner")],
        cwd=str(home), capture_output=True, text=True, check=False,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)},
    )
    if result.returncode:
        raise RuntimeError(f"learner copies in {home} failed: {result.stderr[-2000:]}")
    return result.stdout


def learners(room: Path) -> list[str]:
    """The names of the learners who have a folder in `room`, sorted."""
    room = Path(room)
    if not room.is_dir():
        return []
    return sorted(p.name for p in room.iterdir()
                  if NAME.match(p.name) and p.is_dir() and not p.is_symlink())


def _read_own_file(path: Path, owner: int | None) -> bytes | None:
    """The bytes of `path` if it is a regular file (no link) owned by `owner`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None  # a symbolic link, or gone
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or (owner is not None and info.st_uid != owner):
            return None
        return file.read()


def collect(room: Path, out: Path, notebooks: list[str] | None = None) -> list[tuple]:
    """Copy each learner's notebooks to ``out/<learner>/NN_name.ipynb`` for ``make grade``.

    `notebooks` names the lessons to collect (``["04_relu"]`` or ``["04"]``); None
    collects them all. Only regular files directly in a learner's ``learner/`` folder are
    read, never through a symbolic link, and (when the folder belongs to an account)
    only files that account owns: a learner cannot hand in another's work or the answer
    key. Returns ``[(learner, file name, "collected" | why not)]``; an existing
    ``out/<learner>`` folder is replaced, so a second collection is the latest work.
    """
    lessons = [p.name for p in student.notebooks()]
    wanted = lessons if not notebooks else [_lesson(n, lessons) for n in notebooks]
    report = []
    for name in learners(room):
        home = Path(room) / name
        owner = home.stat().st_uid if os.geteuid() == 0 else None
        target = Path(out) / name
        shutil.rmtree(target, ignore_errors=True)
        for lesson in wanted:
            data = _read_own_file(home / "learner" / lesson, owner)
            if data is None:
                report.append((name, lesson, "not collected: missing, a link or not theirs"))
                continue
            target.mkdir(parents=True, exist_ok=True)
            (target / lesson).write_bytes(data)
            report.append((name, lesson, "collected"))
    return report


def _lesson(wanted: str, lessons: list[str]) -> str:
    stem = wanted.removesuffix(".ipynb")
    found = [n for n in lessons if n.removesuffix(".ipynb") == stem or n[:2] == stem]
    if len(found) != 1:
        raise ValueError(f"notebook {wanted!r} is not one of the series' notebooks "
                         f"({', '.join(n[:2] for n in lessons)} or their file names)")
    return found[0]
