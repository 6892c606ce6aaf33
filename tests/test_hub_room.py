"""The workshop server's parts without a hub: learners' folders and copies, collecting
their work, the settings' refusals, the limits' control groups and the learner's sandbox.
(The hub itself, with 5 learners: tests/test_hub.py.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.tools.hub import limits, room, settings, spawner

AS_ROOT = os.geteuid() == 0
NOBODY = 65534


@pytest.mark.parametrize("name", ["ada", "b0b-2", "x_y", "a" * 20])
def test_a_learner_name_is_accepted(name):
    assert room.check_name(name) == name


@pytest.mark.parametrize("name", ["", "Ada", "1ada", "a" * 21, "../ada", "ada bob", "é"])
def test_a_bad_learner_name_is_refused_by_name(name):
    with pytest.raises(ValueError, match=f"learner name {name!r} is not allowed"):
        room.check_name(name)


def test_a_learners_folder_has_the_copies_and_the_answer_key(tmp_path):
    home = room.prepare_learner(tmp_path / "room", "ada")
    assert home.stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "room").stat().st_mode & 0o777 == 0o711
    assert (home / "notebooks").resolve() == room.student.NOTEBOOKS
    assert (home / "images").resolve() == room.ROOT / "images"
    log = room.make_learner_copies(home)
    names = [p.name for p in room.student.notebooks()]
    assert sorted(p.name for p in (home / "learner").iterdir()) == names
    assert log.count("created") == len(names)
    # The learner's work is kept at the next login.
    mine = home / "learner" / names[1]
    nb = nbformat.read(mine, as_version=4)
    nb.cells[0].source = "my notes"
    nbformat.write(nb, mine)
    (home / "learner" / names[2]).unlink()
    room.prepare_learner(tmp_path / "room", "ada")
    log = room.make_learner_copies(home)
    assert nbformat.read(mine, as_version=4).cells[0].source == "my notes"
    assert log.count("created") == 1 and (home / "learner" / names[2]).is_file()


def _write(path: Path, text: str = "{}") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_collect_copies_each_learners_own_notebooks(tmp_path):
    lesson = room.student.notebooks()[4].name
    _write(tmp_path / "room" / "ada" / "learner" / lesson, "ada's")
    _write(tmp_path / "room" / "bob" / "learner" / lesson, "bob's")
    (tmp_path / "room" / "eve" / "learner").mkdir(parents=True)
    # eve hands in the answer key through a link: not collected.
    (tmp_path / "room" / "eve" / "learner" / lesson).symlink_to(
        room.student.NOTEBOOKS / lesson)
    report = room.collect(tmp_path / "room", tmp_path / "out", [lesson[:2]])
    assert (tmp_path / "out" / "ada" / lesson).read_text() == "ada's"
    assert (tmp_path / "out" / "bob" / lesson).read_text() == "bob's"
    assert not (tmp_path / "out" / "eve").exists()
    assert ("eve", lesson, "not collected: missing, a link or not theirs") in report


@pytest.mark.skipif(not AS_ROOT, reason="files of another owner need root to make")
def test_collect_refuses_a_file_the_learner_does_not_own(tmp_path):
    lesson = room.student.notebooks()[4].name
    home = tmp_path / "room" / "eve"
    _write(home / "learner" / lesson, "someone else's")
    os.chown(home, NOBODY, NOBODY)  # eve's folder is eve's, the file is root's
    report = room.collect(tmp_path / "room", tmp_path / "out", [lesson])
    assert report == [("eve", lesson, "not collected: missing, a link or not theirs")]


def test_collect_names_an_unknown_notebook(tmp_path):
    with pytest.raises(ValueError, match="notebook '42' is not one of the series"):
        room.collect(tmp_path, tmp_path / "out", ["42"])


def _args(tmp_path, *extra):
    proxy = _write(tmp_path / "proxy", "")
    return settings.parse(["--room", str(tmp_path / "room"), "--state",
                           str(tmp_path / "state"), "--proxy", str(proxy), *extra])


@pytest.mark.parametrize("extra, message", [
    (["--port", "70000"], "--port=70000 is not a port"),
    (["--mem-limit", "lots"], "--mem-limit='lots' is not a memory size"),
    (["--cpu-limit", "-1"], "--cpu-limit='-1' is not a number of cores"),
    (["--ssl-cert", "/nonexistent.pem"], "--ssl-cert and --ssl-key go together"),
    (["--admin", "The Boss"], "learner name 'The Boss' is not allowed"),
    (["--password-file", "/nonexistent"], "--password-file=/nonexistent is not a file"),
])
def test_settings_refuse_a_bad_argument_by_name(tmp_path, extra, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        settings.settings(_args(tmp_path, *extra))


def test_settings_refuse_a_short_password_and_a_missing_proxy(tmp_path):
    _write(tmp_path / "pw", "short")
    with pytest.raises(ValueError, match="8 characters or longer"):
        settings.settings(_args(tmp_path, "--password-file", str(tmp_path / "pw")))
    args = _args(tmp_path)
    args.proxy = tmp_path / "missing"
    with pytest.raises(ValueError, match="make hub-proxy"):
        settings.settings(args)


def test_settings_make_the_passwords_that_were_not_given(tmp_path):
    config = settings.settings(_args(tmp_path, "--mem-limit", "none", "--admin", "ada"))
    password = Path(config["password_file"]).read_text().strip()
    admin = Path(config["admin_password_file"]).read_text().strip()
    assert len(password) >= 8 and len(admin) >= 32 and password != admin
    assert Path(config["password_file"]).stat().st_mode & 0o077 == 0
    assert config["mem_limit"] is None and config["cpu_limit"] == 2.0
    assert config["admins"] == ["ada"] and config["hub_port"] != config["proxy_api_port"]


@pytest.mark.parametrize("text, expected", [("3G", 3 * 2**30), ("512M", 512 * 2**20),
                                            ("1.5G", int(1.5 * 2**30)), (1024, 1024)])
def test_memory_sizes(text, expected):
    assert limits.parse_bytes(text) == expected


@pytest.mark.skipif(not AS_ROOT, reason="control groups are created by root only")
@pytest.mark.parametrize("version", [1, 2])
def test_a_learners_control_group_holds_the_limits(tmp_path, version):
    if version == 2:
        _write(tmp_path / "cgroup.controllers", "cpu memory")
    else:
        (tmp_path / "memory").mkdir()
        (tmp_path / "cpu").mkdir()
    group = limits.LearnerGroup("ada", 3 * 2**30, 1.5, root=tmp_path)
    assert group.create() is None
    if version == 2:
        folder = tmp_path / limits.PARENT / "ada"
        assert (folder / "memory.max").read_text() == str(3 * 2**30)
        assert (folder / "cpu.max").read_text() == "150000 100000"
    else:
        memory, cpu = group.folders()
        assert (memory / "memory.limit_in_bytes").read_text() == str(3 * 2**30)
        assert (cpu / "cpu.cfs_quota_us").read_text() == "150000"


def test_no_control_group_says_why(tmp_path):
    group = limits.LearnerGroup("ada", 2**30, None, root=tmp_path)  # no hierarchy there
    why = group.create()
    assert why is not None and ("not root" in why or "no cgroup" in why)


@pytest.mark.skipif(not AS_ROOT or shutil.which("bwrap") is None,
                    reason="the learner's sandbox needs root and bubblewrap")
def test_the_learners_sandbox_shows_their_folder_and_the_answer_key_read_only(tmp_path):
    rooms = tmp_path / "room"
    home = room.prepare_learner(rooms, "ada", NOBODY, NOBODY)
    other = room.prepare_learner(rooms, "bob")
    _write(other / "learner" / "secret.ipynb", "bob's")
    key = room.student.NOTEBOOKS / room.student.notebooks()[1].name
    code = (
        "import os, sys\n"
        "def attempt(f):\n"
        "    try:\n        f(); return 'ok'\n"
        "    except OSError as e:\n        return type(e).__name__\n"
        f"print(os.getuid(), attempt(lambda: open({str(key)!r}).read()),"
        f" attempt(lambda: open({str(key)!r}, 'a')),"
        f" attempt(lambda: os.listdir({str(other)!r})),"
        f" attempt(lambda: open('mine.txt', 'w').write('x')),"
        f" attempt(lambda: open({str(room.ROOT / 'README.md')!r}).read()),"
        # the private /tmp and /dev/shm (multiprocessing's locks) are the learner's
        " attempt(lambda: open('/tmp/x', 'w').write('x')),"
        " attempt(lambda: __import__('multiprocessing').Lock()))"
    )
    result = subprocess.run([*spawner.sandbox(NOBODY, NOBODY, home), sys.executable, "-c",
                             code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    uid, read_key, write_key, list_other, write_own, repository, tmp, shm = (
        result.stdout.split())
    assert (uid, read_key, write_own, tmp, shm) == (str(NOBODY), "ok", "ok", "ok", "ok")
    # not the answer key for writing, not bob's folder, not the rest of the repository
    assert write_key != "ok" and list_other != "ok" and repository != "ok"
    assert (home / "mine.txt").stat().st_uid == NOBODY


@pytest.mark.skipif(not AS_ROOT, reason="accounts and owners need root")
def test_a_real_account_is_never_borrowed(tmp_path):
    with pytest.raises(RuntimeError, match="'nobody' exists and was not made by the"):
        spawner.ensure_account("nobody", tmp_path)


@pytest.mark.skipif(not AS_ROOT, reason="owners need root")
def test_a_learners_folder_follows_their_new_account(tmp_path):
    home = room.prepare_learner(tmp_path / "room", "ada", NOBODY, NOBODY)
    _write(home / "learner" / "mine.ipynb")
    room.prepare_learner(tmp_path / "room", "ada", NOBODY - 1, NOBODY - 1)
    owners = {p.lstat().st_uid for p in [home, *home.rglob("*")]}
    assert owners == {NOBODY - 1}


def test_a_missing_sandbox_is_named_with_its_package(monkeypatch):
    monkeypatch.setattr(spawner.shutil, "which",
                        lambda program: None if program == "bwrap" else "/usr/bin/x")
    with pytest.raises(RuntimeError, match="bwrap is missing.*apt-get install bubblewrap"):
        spawner.require_sandbox()
