"""The measurement behind the room's sizing (``make room-usage``): the sampler sees a
child's memory and CPU, the sizing follows hand-worked numbers, and a bad call is named."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers.tools import room_usage

MB, GB = 2**20, 2**30

# A parent that starts a child which holds 300 MB and spins the CPU for a second.
CHILD = ("import time; block = bytearray(300 * 2**20); block[::4096] = b'x' * len(block[::4096]);"
         " end = time.process_time() + 1.0\nwhile time.process_time() < end: pass\n"
         "time.sleep(1.5)")
PARENT = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {CHILD!r}])"


def test_the_sampler_counts_the_childrens_memory_and_cpu():
    process = subprocess.Popen([sys.executable, "-c", PARENT])
    sampler = room_usage.TreeSampler(process.pid)
    sampler.start()
    process.wait(60)  # the child spins, then sleeps at its peak: sampled all along
    sampler.stop()
    assert sampler.peak >= 300 * MB
    assert sum(sampler.cpu.values()) >= 0.9  # the child's second of CPU


def _row(number: str, peak_mb: float, end_mb: float, cpu: float, wall: float,
         minutes: int) -> dict:
    return {"notebook": f"{number}_x.ipynb", "peak_rss": peak_mb * MB,
            "end_rss": end_mb * MB, "end_uss": end_mb * MB / 2, "cpu_seconds": cpu,
            "wall_seconds": wall, "load": 0.5, "learner_minutes": minutes}


RESULT = {
    "machine": "2 cores", "date": "today", "load_before": (0.5, 0, 0),
    "load_after": (0.6, 0, 0), "server_rss": 100 * MB,
    "rows": [_row("01", 200, 150, 10, 10, 30),
             _row("07", 1000, 600, 30, 20, 30),
             _row("09", 1500, 900, 360, 200, 60)],
}


def test_the_sizing_follows_the_hand_worked_numbers():
    ten = room_usage.sizing(RESULT, sizes=(10,))[0]
    # server 100 + the largest other peak 1000 + the largest idle kernel 600 = 1700 MB
    assert ten["memory_gb"] == pytest.approx(10 * 1700 * MB / GB)
    assert ten["memory_09_gb"] == pytest.approx(10 * (100 + 1500 + 600) * MB / GB)
    # 400 CPU seconds over 120 learner minutes: 10 learners need 10 * 400 / 7200 -> 1 core
    assert ten["cores_working"] == 1
    # 10 x 30 CPU s of 07 within 60 s: 5 cores; 10 x 360 CPU s of 09 within 600 s: 6
    assert ten["heaviest"] == "07" and ten["cores_burst"] == 5 and ten["cores_09"] == 6
    # everyone's 3600 CPU seconds of 09 on 8 cores: 450 s; on 32 cores: 112.5 s
    assert ten["minutes_09_on_cores"] == {8: pytest.approx(7.5), 32: pytest.approx(1.875)}


def test_the_burst_is_never_a_notebook_that_trains():
    """10 trains two small networks: its CPU seconds are no 60-second burst."""
    rows = [*RESULT["rows"], _row("10", 1200, 900, 100, 95, 60)]
    ten = room_usage.sizing(dict(RESULT, rows=rows), sizes=(10,))[0]
    assert ten["heaviest"] == "07" and ten["cores_burst"] == 5
    # its memory still counts: server 100 + 10's peak 1200 + the largest idle 900
    assert ten["memory_gb"] == pytest.approx(10 * 2200 * MB / GB)


def test_the_report_holds_both_tables():
    text = room_usage.report(RESULT)
    assert "| 09 | 1500 MB | 900 / 450 MB | 360.0 | 200.0 | 0.5 |" in text
    assert "everyone runs 07 within 60 s" in text
    assert "\n| 10 | 17 GB | 21 GB | 1 | 5 | 6 | 8 / 2 min |" in text


def test_sizing_needs_09_and_another_notebook():
    result = dict(RESULT, rows=RESULT["rows"][:2])
    with pytest.raises(ValueError, match="sizing needs notebook 09"):
        room_usage.sizing(result)


def test_a_bad_call_is_refused(monkeypatch, capsys):
    assert room_usage.main(["9"]) == 2
    assert "not ['9']" in capsys.readouterr().err
    monkeypatch.delenv("CNN_COURSE_MODEL", raising=False)
    assert room_usage.main(["01"]) == 2
    assert "CNN_COURSE_MODEL" in capsys.readouterr().err
