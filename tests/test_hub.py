"""The workshop server: JupyterHub on localhost with 5 learners (``make hub``).

One hub for the module (`helpers.tools.hub`, configurable-http-proxy from build/hub-node):
5 learners created through the REST API with the instructor's token, each learner's
server started; notebooks 01 and 05 of every learner (their learner copies, made at first
login) run at the same time through the servers' kernel API, every cell must succeed, and
the time per cell is printed against one learner alone (p50 / p95, not asserted: it
depends on the machine). A learner cannot reach another's server or files (403), the
shared password and a wrong one behave as the README says, and when the hub stops no
process it started is left.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import statistics
import subprocess
import time
from pathlib import Path

import hub_client
import psutil
import pytest
import requests

from helpers.tools.hub import limits, room, settings, spawner

ROOT = Path(__file__).resolve().parents[1]
# Names of this run only: another run on the machine (another worker, another engineer)
# has its own learners, accounts and processes, which this one must not count or remove.
LEARNERS = [f"h{os.getpid()}l{i}" for i in range(1, 6)]
NOTEBOOKS = ["01_convolution_by_hand.ipynb", "05_max_pooling.ipynb"]
PASSWORD = "room-password-" + secrets.token_hex(4)
AS_ROOT = os.geteuid() == 0


def _ours(process: psutil.Process, marks: list[str], uids: set[int]) -> bool:
    try:
        if process.uids().real in uids:
            return True
        line = " ".join(process.cmdline())
    except psutil.Error:
        return False
    return any(mark in line for mark in marks)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not settings.PROXY.is_file():
        subprocess.run(["make", "-s", "hub-proxy"], cwd=ROOT, check=True)
    base_dir = tmp_path_factory.mktemp("hub")
    (base_dir / "password").write_text(PASSWORD + "\n")
    token = secrets.token_hex(16)
    (base_dir / "token").write_text(token + "\n")
    args = settings.parse([
        "--port", str(settings.free_port()), "--room", str(base_dir / "room"),
        "--state", str(base_dir / "state"), "--password-file", str(base_dir / "password"),
        "--api-token-file", str(base_dir / "token"), "--mem-limit", "3G",
        "--cpu-limit", "2",
    ])
    config = settings.settings(args)
    log = open(base_dir / "hub.log", "wb")  # noqa: SIM115 (closed at teardown)
    process = settings.start(config, stdout=log, stderr=subprocess.STDOUT)
    marks = [str(base_dir), f":{config['port']}"]  # how its processes are recognised
    try:  # a hub that failed to start its learners is stopped all the same
        base = settings.url(config)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, (base_dir / "hub.log").read_text()[-3000:]
            try:
                if requests.get(f"{base}/hub/api/", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("the hub did not answer in 90 s")
        info = {"base": base, "token": token, "config": config, "process": process,
                "log": base_dir / "hub.log", "marks": marks}
        info["tokens"] = asyncio.run(_start_learners(base, token))
        yield info
    finally:
        uids = _learner_uids()
        # Stop the hub (it stops every learner's server and the proxy), then look for
        # leftovers.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        time.sleep(1)
        left = [p for p in psutil.process_iter() if _ours(p, marks, uids)
                and p.pid != os.getpid()]
        for p in left:
            p.kill()
        if AS_ROOT:
            spawner.remove_accounts(LEARNERS)
        assert left == [], f"processes left after the hub stopped: {left}"


def _learner_uids() -> set[int]:
    uids = set()
    for account in spawner.workshop_accounts():
        if account.removeprefix("cnn-") in LEARNERS:
            import pwd

            uids.add(pwd.getpwnam(account).pw_uid)
    return uids


async def _start_learners(base: str, token: str) -> dict[str, str]:
    status, body = await hub_client.call(base, "POST", "/hub/api/users", token,
                                         {"usernames": LEARNERS})
    assert status == 201, (status, body)
    for name in LEARNERS:
        status, body = await hub_client.call(base, "POST",
                                             f"/hub/api/users/{name}/server", token)
        assert status in (201, 202), (name, status, body)
    await asyncio.gather(*(hub_client.wait_ready(base, token, n) for n in LEARNERS))
    tokens = {}
    for name in LEARNERS:
        status, body = await hub_client.call(
            base, "POST", f"/hub/api/users/{name}/tokens", token,
            {"note": "test_hub", "expires_in": 3600})
        assert status == 201, (name, status, body)
        tokens[name] = body["token"]
    return tokens


def _home(hub, name: str) -> Path:
    return Path(hub["config"]["room"]) / name


def _run_room(hub, names: list[str]) -> list[dict]:
    async def room_run():
        return await asyncio.gather(*(
            hub_client.run_notebook(hub["base"], name, hub["tokens"][name],
                                    f"learner/{nb}", _home(hub, name) / "learner" / nb)
            for name in names for nb in NOTEBOOKS))
    return asyncio.run(room_run())


def _percentiles(runs: list[dict]) -> tuple[float, float]:
    times = sorted(t for run in runs for t in run["times"])
    cuts = statistics.quantiles(times, n=20)  # 5% steps: [9] is p50, [18] is p95
    return cuts[9], cuts[18]


def test_each_learner_has_own_copies_and_the_answer_key(hub):
    for name in LEARNERS:
        home = _home(hub, name)
        copies = sorted(p.name for p in (home / "learner").glob("*.ipynb"))
        assert copies == [p.name for p in room.student.notebooks()]
        assert (home / "notebooks").resolve() == room.student.NOTEBOOKS
        if AS_ROOT:
            owner = home.stat().st_uid
            assert owner != 0 and (home / "learner" / NOTEBOOKS[0]).stat().st_uid == owner
            assert home.stat().st_mode & 0o077 == 0, "another learner could list it"


def test_five_learners_run_01_and_05_at_once(hub):
    alone = _run_room(hub, LEARNERS[:1])
    together = _run_room(hub, LEARNERS)
    failures = [f for run in alone + together for f in run["failures"]]
    assert failures == []
    assert all(len(run["times"]) == run["cells"] for run in together)
    assert len(together) == 2 * len(LEARNERS)
    p50_1, p95_1 = _percentiles(alone)
    p50_5, p95_5 = _percentiles(together)
    print(f"\ntime per cell, 01 and 05 at once: 1 learner p50 {p50_1:.3f} s, p95 "
          f"{p95_1:.3f} s; {len(LEARNERS)} learners p50 {p50_5:.3f} s "
          f"({p50_5 / p50_1:.1f}x), p95 {p95_5:.3f} s ({p95_5 / p95_1:.1f}x); load "
          f"{os.getloadavg()[0]:.1f}")


def test_a_learner_cannot_reach_another_learners_server(hub):
    ada, bob = LEARNERS[0], LEARNERS[1]
    ada_token = hub["tokens"][ada]

    async def probe():
        own = await hub_client.call(hub["base"], "GET", f"/user/{ada}/api/contents/learner",
                                    ada_token)
        other = await hub_client.call(hub["base"], "GET",
                                      f"/user/{bob}/api/contents/learner", ada_token)
        kernel = await hub_client.call(hub["base"], "POST", f"/user/{bob}/api/kernels",
                                       ada_token, {"name": "cnn-course"})
        hub_user = await hub_client.call(hub["base"], "GET", f"/hub/api/users/{bob}",
                                         ada_token)
        return own, other, kernel, hub_user

    own, other, kernel, hub_user = asyncio.run(probe())
    assert own[0] == 200 and {c["name"] for c in own[1]["content"]} >= set(NOTEBOOKS)
    assert other[0] == 403
    assert kernel[0] == 403
    assert hub_user[0] in (403, 404)  # the hub does not even say whether bob exists


def test_a_learners_code_cannot_open_another_learners_files(hub):
    ada, bob = LEARNERS[0], LEARNERS[1]
    key = room.student.NOTEBOOKS / NOTEBOOKS[0]
    probe = (
        "import os\n"
        "def attempt(f):\n"
        "    try:\n        f(); return 'ok'\n"
        "    except OSError as e:\n        return type(e).__name__\n"
        f"print(attempt(lambda: os.listdir({str(_home(hub, bob))!r})),"
        f" attempt(lambda: open({str(_home(hub, bob) / 'learner' / NOTEBOOKS[0])!r}).read()),"
        f" attempt(lambda: open({str(key)!r}).read()),"
        f" attempt(lambda: open({str(key)!r}, 'a').close()),"
        f" attempt(lambda: open('../notebooks/{NOTEBOOKS[1]}', 'a').close()))"
    )

    output = _kernel_output(hub, ada, probe)
    other_dir, other_file, read_key, write_key, write_key_rel = output.split()
    if AS_ROOT:  # separate accounts and each server in its own view of the files
        assert other_dir != "ok" and other_file != "ok"
        assert write_key != "ok" and write_key_rel != "ok"
    assert read_key == "ok"


def _kernel_output(hub, name: str, code: str) -> str:
    """The stdout of `code` run in a fresh kernel of `name`'s server."""
    async def run():
        async with hub_client.Kernel(hub["base"], name, hub["tokens"][name],
                                     "learner/probe.ipynb") as kernel:
            return await kernel.output(code)
    return asyncio.run(run())


def _login(base: str, name: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/hub/login", timeout=30)
    response = session.post(
        f"{base}/hub/login", timeout=30, allow_redirects=False,
        data={"username": name, "password": password,
              "_xsrf": session.cookies.get("_xsrf", path="/hub/")})
    session.login_status = response.status_code
    return session


def test_shared_password_logs_in_and_a_wrong_one_does_not(hub):
    base, ada, bob = hub["base"], LEARNERS[0], LEARNERS[1]
    wrong = _login(base, ada, PASSWORD + "x")
    assert wrong.login_status == 403
    assert wrong.get(f"{base}/hub/api/user", timeout=30).status_code == 403
    right = _login(base, ada, PASSWORD)
    assert right.login_status == 302
    assert right.get(f"{base}/hub/api/user", timeout=30).json()["name"] == ada
    # A browser opens the learner's JupyterLab (the hub's OAuth redirects), then its API.
    lab = right.get(f"{base}/user/{ada}/lab", timeout=60)
    assert lab.status_code == 200 and "<title>JupyterLab</title>" in lab.text
    assert right.get(f"{base}/user/{ada}/api/contents/learner", timeout=60).ok
    assert right.get(f"{base}/user/{bob}/lab", timeout=60).status_code == 403
    theirs = right.get(f"{base}/user/{bob}/api/contents/learner", timeout=60)
    assert theirs.status_code == 403
    # A name outside the rules is refused, whatever the password.
    assert _login(base, "Not A Name!", PASSWORD).login_status == 403


def test_each_learner_is_held_to_the_memory_and_cpu_limits(hub):
    group = limits.LearnerGroup(LEARNERS[0], limits.parse_bytes("3G"), 2.0)
    if not AS_ROOT or group.version is None:
        pytest.skip("control groups need root and a cgroup hierarchy: nothing enforced")
    folders = group.folders()
    assert all(f.is_dir() for f in folders)
    server_pid = next(iter(group.pids()), None)
    assert server_pid is not None, "the learner's server is in no control group"
    if group.version == 1:
        memory, cpu = folders
        assert int((memory / "memory.limit_in_bytes").read_text()) == 3 * 2**30
        assert int((cpu / "cpu.cfs_quota_us").read_text()) == 2 * limits.PERIOD_US
    else:
        assert (folders[0] / "memory.max").read_text().strip() == str(3 * 2**30)
        assert (folders[0] / "cpu.max").read_text().split()[0] == str(2 * limits.PERIOD_US)


def test_the_instructor_collects_and_grades_the_room(hub, tmp_path):
    import nbformat

    from helpers.tools import grading

    lesson = "04_relu.ipynb"
    home = _home(hub, LEARNERS[0])
    # the first learner answers with the answer key's code; the others leave it blank
    key = nbformat.read(room.student.NOTEBOOKS / lesson, as_version=4)
    answers = {c.id: c.source for c in key.cells if "solution" in c.metadata.get("tags", [])}
    mine = nbformat.read(home / "learner" / lesson, as_version=4)
    for cell in mine.cells:
        cell.source = answers.get(cell.get("id"), cell.source)
    owner = (home / "learner" / lesson).stat()
    nbformat.write(mine, home / "learner" / lesson)
    os.chown(home / "learner" / lesson, owner.st_uid, owner.st_gid)
    report = room.collect(Path(hub["config"]["room"]), tmp_path / "submissions", ["04"])
    assert sorted(name for name, _, what in report if what == "collected") == LEARNERS
    rows = grading.grade(tmp_path / "submissions", course=tmp_path / "course")
    points = {name: sum(r["score"] for r in rows if r["learner"] == name)
              for name in LEARNERS}
    assert points == {name: (len(answers) if name == LEARNERS[0] else 0)
                      for name in LEARNERS}
    assert len(answers) > 0


def test_a_kernel_past_the_memory_limit_dies_and_the_server_stays(hub):
    if not AS_ROOT or limits.cgroup_version() is None:
        pytest.skip("control groups need root and a cgroup hierarchy: nothing enforced")
    name = LEARNERS[-1]

    async def run():
        async with hub_client.Kernel(hub["base"], name, hub["tokens"][name],
                                     "learner/greedy.ipynb") as kernel:
            # 4 GB written (not only reserved) against a limit of 3G
            status, _, _ = await kernel.run("block = b'x' * (4 * 2**30)", timeout=120)
            # The server starts a fresh kernel in its place (a late "restarting" may come
            # first); it runs code again.
            restarted = "died"
            for _ in range(3):
                restarted, _, _ = await kernel.run("back = True", timeout=120)
                if restarted != "died":
                    break
        after = await hub_client.call(hub["base"], "GET",
                                      f"/user/{name}/api/contents/learner",
                                      hub["tokens"][name])
        return status, restarted, after[0]

    status, restarted, server = asyncio.run(run())
    assert (status, restarted, server) == ("died", "ok", 200)


def test_the_hub_log_holds_no_error(hub):
    # The one error the hub logs is the refusal the tests above asked for.
    refused = f"not allowed to access Server at /user/{LEARNERS[1]}/"
    log = hub["log"].read_text(errors="replace").splitlines()
    errors = [line for line in log if line.startswith("[E ") and refused not in line]
    assert errors == []
    assert any(line.startswith("[E ") and refused in line for line in log)
