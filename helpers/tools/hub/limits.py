"""Per-learner memory and CPU limits on one machine, with Linux control groups.

JupyterHub's `LocalProcessSpawner` only *announces* ``mem_limit`` and ``cpu_limit`` to the
learner's server (the ``MEM_LIMIT`` / ``CPU_LIMIT`` variables); it enforces neither. When
the hub runs as root on a machine whose control groups it may write (cgroup v2, or v1 with
the ``memory`` and ``cpu`` controllers), `LearnerGroup` puts each learner's server, and so
every kernel it starts, into a group of its own:

- memory: ``memory.max`` (v2) or ``memory.limit_in_bytes`` (v1). A kernel that grows past
  it is killed by the kernel's OOM killer; the learner sees "kernel died" and restarts it.
- CPU: ``cpu.max`` (v2) or ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` (v1): at most that
  many cores' worth of time, however many kernels the learner runs.

Where no group can be written (not root, a read-only /sys/fs/cgroup), nothing is enforced
and `LearnerGroup.create` says why; the hub logs it at every start.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")
PARENT = "cnn-hub"  # every learner's group lives under this one
PERIOD_US = 100_000
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_bytes(value: str | int, name: str = "mem_limit") -> int:
    """``"3G"`` -> 3221225472; a whole number of bytes, or digits with K, M, G or T."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", str(value), re.I)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{name}={value!r} is not a memory size: write e.g. 3G or 512M")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def parse_cores(value: str | float, name: str = "cpu_limit") -> float:
    """``"1.5"`` -> 1.5 cores (more than 0)."""
    try:
        cores = float(value)
    except (TypeError, ValueError):
        cores = -1.0
    if not cores > 0:
        raise ValueError(f"{name}={value!r} is not a number of cores: write e.g. 1 or 1.5")
    return cores


def cgroup_version(root: Path = CGROUP) -> int | None:
    """2 for the unified hierarchy, 1 for v1 with memory and cpu controllers, else None."""
    if (root / "cgroup.controllers").is_file():
        return 2
    if (root / "memory").is_dir() and (root / "cpu").is_dir():
        return 1
    return None


class LearnerGroup:
    """The control group(s) of one learner: ``create``, ``join`` (from a preexec
    function, as root, before dropping to the learner), ``pids`` and ``remove``."""

    def __init__(self, name: str, mem_bytes: int | None, cores: float | None,
                 root: Path = CGROUP):
        self.name, self.mem_bytes, self.cores, self.root = name, mem_bytes, cores, root
        self.version = cgroup_version(root)

    def folders(self) -> list[Path]:
        if self.version == 2:
            return [self.root / PARENT / self.name]
        if self.version == 1:
            return [self.root / c / PARENT / self.name for c in ("memory", "cpu")]
        return []

    def create(self) -> str | None:
        """Create the group and write its limits; return None, or why nothing is enforced."""
        if self.mem_bytes is None and self.cores is None:
            return "no limit was asked for"
        if os.geteuid() != 0:
            return "the hub is not root, so it cannot create control groups"
        if self.version is None:
            return f"no cgroup v2 or v1 memory+cpu hierarchy under {self.root}"
        try:
            if self.version == 2:
                self._create_v2()
            else:
                self._create_v1()
        except OSError as error:
            return f"control groups under {self.root} cannot be written ({error})"
        return None

    def _create_v2(self) -> None:
        parent = self.root / PARENT
        parent.mkdir(exist_ok=True)
        # The controllers must be handed down from the root to our parent's children.
        for folder in (self.root, parent):
            (folder / "cgroup.subtree_control").write_text("+memory +cpu")
        group = parent / self.name
        group.mkdir(exist_ok=True)
        if self.mem_bytes is not None:
            (group / "memory.max").write_text(str(self.mem_bytes))
            if (group / "memory.swap.max").exists():  # no swapping around the limit
                (group / "memory.swap.max").write_text("0")
        if self.cores is not None:
            (group / "cpu.max").write_text(f"{int(self.cores * PERIOD_US)} {PERIOD_US}")

    def _create_v1(self) -> None:
        memory, cpu = self.folders()
        for group in (memory, cpu):
            group.mkdir(parents=True, exist_ok=True)
        if self.mem_bytes is not None:
            (memory / "memory.limit_in_bytes").write_text(str(self.mem_bytes))
        if self.cores is not None:
            (cpu / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (cpu / "cpu.cfs_quota_us").write_text(str(int(self.cores * PERIOD_US)))

    def join(self) -> None:
        """Move the calling process into the group (children inherit it)."""
        for group in self.folders():
            if group.is_dir():
                (group / "cgroup.procs").write_text(str(os.getpid()))

    def pids(self) -> set[int]:
        """The processes in the group now."""
        found: set[int] = set()
        for group in self.folders():
            try:
                found |= {int(p) for p in (group / "cgroup.procs").read_text().split()}
            except OSError:
                pass
        return found

    def remove(self) -> None:
        """Remove the (empty) group; a group that still holds a process stays."""
        for group in self.folders():
            try:
                group.rmdir()
            except OSError:
                pass
