"""`RoomSpawner`: each learner's Jupyter server in their own folder, as their own account.

A `LocalProcessSpawner` (one process per learner on the hub's machine) that, at each
start of a learner's server:

1. finds the learner's account. With system accounts (PAM login) it is the hub name; with
   the shared password, the hub (as root) creates a locked system account
   ``cnn-<name>`` at first login (no password, no shell; ``python -m helpers.tools.hub
   remove-accounts`` deletes them after the workshop). A hub that is not root runs every
   server as its own user: folders are then separated by the server (403), not by the
   operating system, and the hub says so in its log.
2. creates the learner's folder in the room and the learner copies that are missing
   (`helpers.tools.hub.room`; a copy that exists is never overwritten);
3. puts the server in a control group with the learner's memory and CPU limits where the
   machine allows it (`helpers.tools.hub.limits`), caps the learner's processes and
   threads (``RLIMIT_NPROC``), drops to the learner's account and starts
   ``jupyterhub-singleuser`` from the project's venv with only the project's kernel;
4. at stop, ends every process the learner still has (a kernel that outlived its server).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import psutil
from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Bool, Integer, Unicode

from helpers.tools.hub import limits, room

VENV_BIN = Path(sys.executable).parent
ACCOUNT_COMMENT = "cnn-course workshop learner"
_ACCOUNTS = threading.Lock()  # useradd locks /etc/passwd: one at a time


def ensure_account(account: str, home: Path) -> tuple[int, int]:
    """(uid, gid) of system account `account`, created (locked, no shell) if missing."""
    try:
        entry = pwd.getpwnam(account)
    except KeyError:
        entry = None
    if entry is not None:
        if entry.pw_gecos != ACCOUNT_COMMENT:  # somebody's real account: never borrow it
            raise RuntimeError(f"account {account!r} exists and was not made by the "
                               "workshop hub: choose another learner name")
        return entry.pw_uid, entry.pw_gid
    with _ACCOUNTS:
        try:
            entry = pwd.getpwnam(account)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--user-group", "--no-create-home",
                 "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
                 "--comment", ACCOUNT_COMMENT, account],
                check=True, capture_output=True, text=True,
            )
            entry = pwd.getpwnam(account)
    return entry.pw_uid, entry.pw_gid


def workshop_accounts(prefix: str = "cnn-") -> list[str]:
    """The accounts this hub created (their comment says so), e.g. for removal."""
    return sorted(e.pw_name for e in pwd.getpwall()
                  if e.pw_gecos == ACCOUNT_COMMENT and e.pw_name.startswith(prefix))


def remove_accounts(names: list[str] | None = None, prefix: str = "cnn-") -> list[str]:
    """Delete the workshop's accounts (all, or those of the learners `names`); their
    folders in the room are kept. Returns the accounts deleted."""
    wanted = workshop_accounts(prefix)
    if names is not None:
        wanted = [a for a in wanted if a.removeprefix(prefix) in names]
    for account in wanted:
        subprocess.run(["userdel", account], check=True, capture_output=True)
    return wanted


def _dirs_to(path: Path, made: set[str]) -> list[str]:
    """bubblewrap arguments creating `path`'s ancestors readable by all (its default is
    0700, which would hide a Python installed under /root from the learner)."""
    args = []
    for parent in reversed(Path(path).parents[:-1]):
        if str(parent) not in made:
            made.add(str(parent))
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def require_sandbox() -> None:
    """Raise RuntimeError naming the Debian package when bwrap or setpriv is missing."""
    for program, package in (("bwrap", "bubblewrap"), ("setpriv", "util-linux")):
        if shutil.which(program) is None:
            raise RuntimeError(
                f"{program} is missing: a hub run as root starts each learner's server in "
                f"a sandbox; install it (Debian/Ubuntu: apt-get install {package})")


def sandbox(uid: int, gid: int, home: Path) -> list[str]:
    """The command that runs a learner's server in bubblewrap as account `uid`/`gid`.

    The server sees the system's programs and libraries, the Python install and the
    project's venv, and the repository's helpers/, notebooks/ (the answer key) and
    images/, all read-only; its own folder `home` read-write; a private /tmp; not the
    other learners' folders, the hub's files or the rest of the repository. It shares the
    machine's network (the proxy must reach it) but not its process list. bubblewrap runs
    as root to build that view, then ``setpriv`` drops to the learner's account for good.
    """
    cmd = [shutil.which("bwrap") or "bwrap", "--die-with-parent", "--new-session",
           "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
           "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/dev/shm",
           "--perms", "1777", "--tmpfs", "/tmp"]
    for path in ("/usr", "/etc", "/lib", "/lib64", "/lib32", "/bin", "/sbin"):
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    shared = {os.path.realpath(sys.base_prefix), sys.prefix,
              *(str(p) for p in room.SHARED.values()), str(room.ROOT / "helpers")}
    if os.environ.get("FASHION_MNIST_DIR"):
        shared.add(os.path.realpath(os.environ["FASHION_MNIST_DIR"]))
    made: set[str] = set()
    for path in sorted(shared):
        cmd += _dirs_to(path, made) + ["--ro-bind", path, path]
    cmd += _dirs_to(home, made) + ["--bind", str(home), str(home), "--chdir", str(home)]
    return cmd + ["--", shutil.which("setpriv") or "setpriv", "--reuid", str(uid),
                  "--regid", str(gid), "--clear-groups", "--no-new-privs", "--"]


class RoomSpawner(LocalProcessSpawner):
    """Each learner's server in ``room/<name>``, as the learner's own account."""

    room = Unicode(str(room.ROOM), config=True, help="The room folder (learners' folders).")
    create_accounts = Bool(
        True, config=True,
        help="Create a locked system account per learner (shared-password login, as root). "
             "False: the hub name is an existing system account (PAM login).",
    )
    account_prefix = Unicode("cnn-", config=True, help="Prefix of created accounts.")
    max_processes = Integer(
        max(1024, 16 * (os.cpu_count() or 1)), config=True,
        help="RLIMIT_NPROC of the learner's account: processes and threads together "
             "(a TensorFlow kernel ran 30 threads on 2 cores; more cores, more threads, "
             "hence 16 per core on big machines). 0: no limit.",
    )

    def _is_root(self) -> bool:
        return os.geteuid() == 0

    def account(self) -> str | None:
        """The system account the learner's server runs as (None: the hub's own)."""
        if not self._is_root():
            return None
        return f"{self.account_prefix}{self.user.name}" if self.create_accounts \
            else self.user.name

    @property
    def home(self) -> Path:
        return room.learner_home(Path(self.room), self.user.name)

    def _ids(self) -> tuple[int | None, int | None]:
        account = self.account()
        if account is None:
            return None, None
        if self.create_accounts:
            return ensure_account(account, self.home)
        entry = pwd.getpwnam(account)  # PAM login: the account exists
        return entry.pw_uid, entry.pw_gid

    def _group(self) -> limits.LearnerGroup:
        return limits.LearnerGroup(self.user.name, self.mem_limit or None,
                                   self.cpu_limit or None)

    def _prepare(self) -> None:
        room.check_name(self.user.name)
        if self.account() is not None:
            require_sandbox()
        uid, gid = self._ids()
        home = room.prepare_learner(Path(self.room), self.user.name, uid, gid)
        self.log.info("learner copies of %s:\n%s", self.user.name,
                      room.make_learner_copies(
                          home, None if uid is None else sandbox(uid, gid, home)).strip())
        why = self._group().create()
        if why:
            self.log.warning("memory/CPU limits of %s are not enforced: %s",
                             self.user.name, why)
        if uid is None:
            self.log.warning("%s's server runs as the hub's own user: learners are kept "
                             "apart by the server (403), not by the system", self.user.name)

    async def start(self):
        await asyncio.get_running_loop().run_in_executor(None, self._prepare)
        self.notebook_dir = str(self.home)
        uid, gid = self._ids()
        server = [str(VENV_BIN / "jupyterhub-singleuser")]
        self.cmd = server if uid is None else sandbox(uid, gid, self.home) + server
        return await super().start()

    def make_preexec_fn(self, name):
        home, group, nproc = str(self.home), self._group(), self.max_processes
        as_learner = self.account() is not None

        def preexec():  # runs in the child, after fork, before exec
            group.join()
            if as_learner and nproc:  # inherited by the learner's account in the sandbox
                resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
            os.chdir(home)

        return preexec

    def user_env(self, env):
        account = self.account()
        env["USER"] = account or pwd.getpwuid(os.getuid()).pw_name
        env["HOME"] = str(self.home)
        env["SHELL"] = "/bin/bash"
        # The kernels' Unix sockets: a short path (at most 107 bytes), private in the
        # sandbox's /tmp, one folder per learner without it.
        env["JUPYTER_RUNTIME_DIR"] = f"/tmp/jupyter-runtime-{self.user.name}"
        env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '/usr/bin:/bin')}"
        # The project's quiet TensorFlow, and the learner's own model (09 saves, 10 loads).
        env["TF_CPP_MIN_LOG_LEVEL"] = "3"
        env["CNN_COURSE_MODEL"] = str(self.home / "models" / "fashion_cnn.keras")
        if os.environ.get("FASHION_MNIST_DIR"):  # the workshop's copy of the data
            env["FASHION_MNIST_DIR"] = os.environ["FASHION_MNIST_DIR"]
        return env

    async def move_certs(self, paths):  # internal TLS is not used by this hub
        return paths

    def _leftovers(self) -> list[psutil.Process]:
        pids = self._group().pids()
        account = self.account()
        try:
            uid = pwd.getpwnam(account).pw_uid if account else None
        except KeyError:
            uid = None
        found = []
        for process in psutil.process_iter(["pid", "uids"]):
            try:
                if process.pid in pids or (uid is not None and uid != 0
                                           and process.info["uids"].real == uid):
                    found.append(process)
            except (psutil.Error, TypeError, AttributeError):
                continue
        return found

    async def stop(self, now=False):
        await super().stop(now=now)
        # Kernels end with their server; one that did not (a killed server) ends here.
        left = self._leftovers()
        for process in left:
            try:
                process.send_signal(signal.SIGKILL)
            except psutil.Error:
                pass
        if left:
            self.log.info("ended %d leftover process(es) of %s", len(left), self.user.name)
            psutil.wait_procs(left, timeout=5)
        self._group().remove()
