"""What one learner costs a workshop server: ``python -m helpers.tools.room_usage [NN ...]``.

``make room-usage`` runs each notebook (the solved one, an upper bound on a learner's
copy) top to bottom in a fresh kernel of the project (``cnn-course``), on a copy in a
temporary folder, and records for that kernel and every process it starts:

- peak memory: the largest resident set (RSS) of the kernel plus its children, sampled
  every 50 ms, and never below the kernel's own high-water mark (``VmHWM``);
- memory at the end: the RSS an idle kernel keeps once the notebook has run, and its
  unique part (USS: what a second learner's kernel cannot share with it);
- CPU seconds (user + system, the kernel's start included) and wall seconds.

It also measures an idle JupyterLab server (what each learner's server costs before any
kernel) and prints, as markdown, the table per notebook and the sizing table for 10, 30
and 100 learners (`sizing`): the README and the instructor guide hold its output. Set
``CNN_COURSE_MODEL`` (the Makefile does) so that 09's model goes to build/, never models/.
"""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

from helpers.tools import contents
from helpers.tools.bench import machine
from helpers.tools.execute import copied_notebooks

ROOT = Path(__file__).resolve().parents[2]
KERNEL = "cnn-course"
SAMPLE_SECONDS = 0.05
MB = 2**20
GB = 2**30
ROOM_SIZES = (10, 30, 100)
TRAINING = "09"  # the notebook that trains the CNN
# Notebooks that train small networks (10: two runs on 500 images): never a 60 s burst.
SMALL_TRAINING = ("10",)
OUT = ROOT / "build" / "room-usage" / "room_usage.json"
BURST_SECONDS = 60  # everyone runs the heaviest notebook top to bottom within a minute
TRAINING_SECONDS = 600  # everyone's training of 09 within ten minutes


class TreeSampler(threading.Thread):
    """Samples a process and its children: peak RSS of the tree and CPU per process."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self.halt = threading.Event()

    def sample(self) -> None:
        try:
            tree = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        rss = 0
        for process in tree:
            try:
                with process.oneshot():
                    rss += process.memory_info().rss
                    times = process.cpu_times()
                    self.cpu[process.pid] = times.user + times.system + getattr(
                        times, "children_user", 0) + getattr(times, "children_system", 0)
            except psutil.Error:
                continue
        self.peak = max(self.peak, rss, _high_water_mark(self.root.pid))

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            time.sleep(SAMPLE_SECONDS)

    def stop(self) -> None:
        self.sample()
        self.halt.set()
        self.join()


def _high_water_mark(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure_notebook(path: Path, timeout: float = 1800) -> dict:
    """Run notebook `path` in a fresh kernel; its peak/end memory and CPU/wall seconds."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    manager = KernelManager(kernel_name=KERNEL)
    manager.start_kernel(cwd=str(path.parent))
    try:
        sampler = TreeSampler(manager.provisioner.process.pid)
        sampler.start()
        client = NotebookClient(nb, km=manager, timeout=timeout, kernel_name=KERNEL,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.monotonic()
        client.execute()
        wall = time.monotonic() - start
        sampler.stop()
        kernel = sampler.root
        end_rss = sum(p.memory_info().rss for p in [kernel, *kernel.children(True)])
        uss = kernel.memory_full_info().uss
    finally:
        manager.shutdown_kernel(now=False)
    return {"notebook": path.name, "peak_rss": sampler.peak, "end_rss": end_rss,
            "end_uss": uss, "cpu_seconds": sum(sampler.cpu.values()), "wall_seconds": wall}


def measure_server(seconds: float = 8) -> int:
    """RSS of an idle JupyterLab server (what each learner's server holds without kernels)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as home:
        command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
                   f"--port={port}", "--ip=127.0.0.1", "--IdentityProvider.token=x",
                   f"--ServerApp.root_dir={home}"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        server = subprocess.Popen(command, env={**os.environ, "HOME": home},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.2)
            time.sleep(seconds)  # extensions load after the port opens
            return psutil.Process(server.pid).memory_info().rss
        finally:
            server.terminate()
            server.wait(30)


def measure(numbers: list[str] | None = None) -> dict:
    """Measure the notebooks (all, or those whose number is in `numbers`) and a server."""
    load_before = os.getloadavg()
    rows = []
    with copied_notebooks() as copy:
        for path in sorted(copy.glob("[0-9][0-9]_*.ipynb")):
            if numbers and path.name[:2] not in numbers:
                continue
            row = measure_notebook(path)
            row["load"] = os.getloadavg()[0]
            print(f"{row['notebook']}: peak {row['peak_rss'] / MB:.0f} MB, "
                  f"CPU {row['cpu_seconds']:.1f} s, wall {row['wall_seconds']:.1f} s, "
                  f"load {row['load']:.2f}", flush=True)
            rows.append(row)
    minutes = {r["number"]: r["minutes"] for r in contents.rows()}
    for row in rows:
        row["learner_minutes"] = minutes.get(row["notebook"][:2], 0)
    return {"machine": machine(), "rows": rows, "server_rss": measure_server(),
            "load_before": load_before, "load_after": os.getloadavg(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def sizing(result: dict, sizes=ROOM_SIZES) -> list[dict]:
    """Cores and memory for a room of each size in `sizes`, from `measure`'s result.

    Memory per learner: their server, the kernel of the notebook they run at its peak,
    and one idle kernel (the previous notebook, kept until the 20-minute cull), taking
    the largest of each; "with 09" means that notebook's kernel is the one at its peak.
    Cores come from CPU seconds, not from CPU / wall time (which a busy machine skews):
    "working" is the CPU of the whole series spread over its learner time (a room
    reading and running cells); "burst" runs the heaviest other notebook that trains
    nothing (not `SMALL_TRAINING`) top to bottom for everyone within `BURST_SECONDS`;
    "09" trains everyone's CNN within `TRAINING_SECONDS`; and "minutes_09_on_cores" is
    how long everyone's 09 takes on 8 or 32 cores when they all start it together, if
    CPU time divided perfectly between the cores (it does not quite, so read it as a
    lower bound).
    """
    rows = result["rows"]
    others = [r for r in rows if not r["notebook"].startswith(TRAINING)]
    training = [r for r in rows if r["notebook"].startswith(TRAINING)]
    if not others or not training:
        raise ValueError(f"sizing needs notebook {TRAINING} and at least one other "
                         f"(measured: {[r['notebook'] for r in rows]})")
    idle = max(r["end_rss"] for r in others)
    without = result["server_rss"] + max(r["peak_rss"] for r in others) + idle
    with_09 = result["server_rss"] + training[0]["peak_rss"] + idle
    cpu_total = sum(r["cpu_seconds"] for r in rows)
    learner_seconds = 60 * sum(r["learner_minutes"] for r in rows)
    heaviest = max((r for r in others if r["notebook"][:2] not in SMALL_TRAINING),
                   key=lambda r: r["cpu_seconds"], default=others[0])
    cpu_09 = training[0]["cpu_seconds"]
    out = []
    for n in sizes:
        out.append({
            "learners": n,
            "memory_gb": n * without / GB, "memory_09_gb": n * with_09 / GB,
            "cores_working": max(1, math.ceil(n * cpu_total / learner_seconds)),
            "heaviest": heaviest["notebook"][:2],
            "cores_burst": math.ceil(n * heaviest["cpu_seconds"] / BURST_SECONDS),
            "cores_09": math.ceil(n * cpu_09 / TRAINING_SECONDS),
            "minutes_09_on_cores": {c: n * cpu_09 / c / 60 for c in (8, 32)},
        })
    return out


def report(result: dict) -> str:
    """The two markdown tables (per notebook, per room size) and how they were measured."""
    lines = [
        f"Measured {result['date']} by `make room-usage` on {result['machine']}; load "
        f"average {result['load_before'][0]:.2f} before, {result['load_after'][0]:.2f} "
        f"after (1-minute).", "",
        "| notebook | peak memory (RSS) | idle kernel after it (RSS / unique) | CPU s | "
        "wall s | load |", "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['notebook'][:2]} | {r['peak_rss'] / MB:.0f} MB | "
            f"{r['end_rss'] / MB:.0f} / {r['end_uss'] / MB:.0f} MB | "
            f"{r['cpu_seconds']:.1f} | {r['wall_seconds']:.1f} | {r['load']:.1f} |")
    rooms = sizing(result)
    lines += ["", f"An idle JupyterLab server: {result['server_rss'] / MB:.0f} MB.", "",
              "| learners | memory | memory, 09 training at once | cores, working "
              f"(average) | cores, everyone runs {rooms[0]['heaviest']} within "
              f"{BURST_SECONDS} s | cores, everyone trains 09 within "
              f"{TRAINING_SECONDS // 60} min | everyone's 09 on 8 / 32 cores |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for s in rooms:
        m8, m32 = s["minutes_09_on_cores"][8], s["minutes_09_on_cores"][32]
        lines.append(
            f"| {s['learners']} | {s['memory_gb']:.0f} GB | {s['memory_09_gb']:.0f} GB | "
            f"{s['cores_working']} | {s['cores_burst']} | {s['cores_09']} | "
            f"{m8:.0f} / {m32:.0f} min |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    unknown = [a for a in argv if not (len(a) == 2 and a.isdigit())]
    if unknown:
        print(f"notebook numbers look like 01 or 09, not {unknown}", file=sys.stderr)
        return 2
    if not os.environ.get("CNN_COURSE_MODEL"):
        print("set CNN_COURSE_MODEL to a file under build/ (make room-usage does): "
              "notebook 09 would overwrite models/", file=sys.stderr)
        return 2
    result = measure(argv or None)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1))
    print(report(result))
    print(f"(raw figures: {OUT.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
