"""The hub's command line, its checked settings and the command that starts it.

`parse` reads ``python -m helpers.tools.hub`` arguments; `settings` checks them (every
error names the argument and says what is expected), creates the hub's state folder and
the passwords that were not given, and picks free internal ports; `command` and
`environment` are what `start` runs: ``jupyterhub -f jupyterhub_config.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from helpers.tools.hub import limits, room

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "jupyterhub_config.py"
STATE = room.ROOT / "build" / "hub" / "state"
NODE = room.ROOT / "build" / "hub-node"
PROXY = NODE / "node_modules" / ".bin" / "configurable-http-proxy"
JUPYTERHUB = Path(sys.executable).parent / "jupyterhub"


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line of ``python -m helpers.tools.hub``."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.tools.hub",
        description="JupyterHub for a workshop room with the CNN series.")
    sub = parser.add_subparsers(dest="command")
    start = sub.add_parser("start", help="start the hub (the default)")
    _start_options(start)
    collect = sub.add_parser("collect", help="copy learners' notebooks for make grade")
    collect.add_argument("--room", type=Path, default=room.ROOM)
    collect.add_argument("--out", type=Path, default=room.ROOT / "submissions")
    collect.add_argument("notebooks", nargs="*", help="e.g. 04 05 (default: all)")
    release = sub.add_parser("release", help="write every learner's missing copies")
    release.add_argument("--room", type=Path, default=room.ROOM)
    remove = sub.add_parser("remove-accounts", help="delete the learners' system accounts")
    remove.add_argument("names", nargs="*", help="learners (default: all)")
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["start", *argv]
    return parser.parse_args(argv)


def _start_options(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--ip", default="127.0.0.1",
        help="address learners connect to (0.0.0.0: every interface); default 127.0.0.1")
    add("--port", type=int, default=8000, help="port learners connect to; default 8000")
    add("--room", type=Path, default=room.ROOM, help="the learners' folders")
    add("--state", type=Path, default=STATE, help="the hub's database and secrets")
    add("--auth", choices=("shared", "system"), default="shared",
        help="shared: a name and the workshop password; system: the machine's accounts")
    add("--password-file", type=Path,
        help="the shared password (first line, 8 characters or more); default: one is "
             "made in STATE/password (its path is printed)")
    add("--admin", action="append", default=[],
        help="the instructor's hub name (repeatable); logs in with STATE/admin_password")
    add("--learners", type=Path, help="a file of allowed learner names, one a line "
                                      "(default: anyone with the password)")
    add("--mem-limit", default="3G", help="memory per learner (e.g. 3G), or none")
    add("--cpu-limit", default="2", help="cores per learner (e.g. 1.5), or none")
    add("--ssl-cert", type=Path, help="HTTPS certificate (PEM), with --ssl-key")
    add("--ssl-key", type=Path, help="HTTPS private key (PEM), with --ssl-cert")
    add("--api-token-file", type=Path,
        help="a file holding a token with the instructor's rights, for scripts")
    add("--proxy", type=Path, default=PROXY, help="configurable-http-proxy to run")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _secret_file(path: Path, given: Path | None, length: int, option: str) -> Path:
    if given is not None:
        if not given.is_file():
            raise ValueError(f"{option}={given} is not a file")
        if len(given.read_text().strip()) < length:
            raise ValueError(f"{option}={given}: the password must be {length} characters "
                             "or longer (JupyterHub's rule)")
        return given.resolve()
    if not path.exists():
        path.write_text(secrets.token_urlsafe(length) + "\n")
        path.chmod(0o600)
    return path


def _limit(value: str, parse, option: str):
    return None if str(value).lower() in ("none", "0", "") else parse(value, option)


def settings(args: argparse.Namespace) -> dict:
    """The checked settings of a ``start`` command line (JSON-ready)."""
    if not 0 < args.port < 65536:
        raise ValueError(f"--port={args.port} is not a port (1-65535)")
    if not Path(args.proxy).is_file():
        raise ValueError(f"--proxy={args.proxy} does not exist: install configurable-http-"
                         "proxy with `make hub-proxy` (npm registry, into build/hub-node)")
    if (args.ssl_cert is None) != (args.ssl_key is None):
        raise ValueError("--ssl-cert and --ssl-key go together (give both or neither)")
    for option, path in (("--ssl-cert", args.ssl_cert), ("--ssl-key", args.ssl_key)):
        if path is not None and not path.is_file():
            raise ValueError(f"{option}={path} is not a file")
    admins = [room.check_name(name) for name in args.admin]
    learners = []
    if args.learners is not None:
        if not args.learners.is_file():
            raise ValueError(f"--learners={args.learners} is not a file")
        lines = args.learners.read_text().split()
        try:
            learners = [room.check_name(name) for name in lines]
        except ValueError as error:
            raise ValueError(f"--learners={args.learners}: {error}") from None
    if args.api_token_file is not None and not args.api_token_file.is_file():
        raise ValueError(f"--api-token-file={args.api_token_file} is not a file")
    state = Path(args.state).resolve()
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o700)
    password = admin_password = None
    if args.auth == "shared":
        password = _secret_file(state / "password", args.password_file, 8,
                                "--password-file")
        if admins:
            admin_password = _secret_file(state / "admin_password", None, 32, "")
    return {
        "ip": args.ip, "port": args.port, "hub_port": free_port(),
        "proxy_api_port": free_port(), "proxy": str(Path(args.proxy).resolve()),
        "room": str(room.prepare_room(Path(args.room)).resolve()), "state": str(state),
        "auth": args.auth, "admins": admins, "learners": learners,
        "password_file": str(password) if password else None,
        "admin_password_file": str(admin_password) if admin_password else None,
        "mem_limit": _limit(args.mem_limit, limits.parse_bytes, "--mem-limit"),
        "cpu_limit": _limit(args.cpu_limit, limits.parse_cores, "--cpu-limit"),
        "ssl_cert": str(args.ssl_cert.resolve()) if args.ssl_cert else None,
        "ssl_key": str(args.ssl_key.resolve()) if args.ssl_key else None,
        "api_token_file": str(args.api_token_file.resolve()) if args.api_token_file
        else None,
    }


def command() -> list[str]:
    return [str(JUPYTERHUB), "-f", str(CONFIG)]


def environment(config: dict) -> dict[str, str]:
    env = dict(os.environ, CNN_HUB_SETTINGS=json.dumps(config), TF_CPP_MIN_LOG_LEVEL="3")
    # The proxy (node) and jupyterhub-singleuser are found on PATH.
    env["PATH"] = f"{JUPYTERHUB.parent}:{Path(config['proxy']).parent}:{env.get('PATH', '')}"
    return env


def start(config: dict, **popen) -> subprocess.Popen:
    """Start the hub with `config` (from `settings`); its own process group."""
    return subprocess.Popen(command(), cwd=config["state"], env=environment(config),
                            start_new_session=True, **popen)


def url(config: dict) -> str:
    scheme = "https" if config.get("ssl_cert") else "http"
    host = "127.0.0.1" if config["ip"] in ("", "0.0.0.0") else config["ip"]
    return f"{scheme}://{host}:{config['port']}"
