"""``python -m helpers.tools.hub [start|collect|release|remove-accounts] ...`` (``--help``)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from helpers.tools.hub import room, settings


def _start(args) -> int:
    config = settings.settings(args)
    print(f"room:      {config['room']} (one folder per learner)")
    if config["password_file"]:
        print(f"password:  {config['password_file']} (the learners' shared password)")
        if args.admin:
            print(f"instructor: {', '.join(args.admin)}, password in "
                  f"{config['admin_password_file']}")
    if os.geteuid() != 0:
        print("not root: every learner's server runs as you (kept apart by the server, "
              "not by the system) and no memory/CPU limit is enforced")
    print(f"learners open {settings.url(config)} (Ctrl-C stops the hub and every server)")
    hub = settings.start(config)
    # The hub runs in its own session: a TERM for this command (a service manager,
    # `timeout`) must reach it, or it would outlive us with every learner's server.
    signal.signal(signal.SIGTERM, lambda *_: hub.send_signal(signal.SIGTERM))
    try:
        return hub.wait()
    except KeyboardInterrupt:
        hub.send_signal(signal.SIGINT)
        return hub.wait()


def _collect(args) -> int:
    report = room.collect(args.room, args.out, args.notebooks or None)
    for learner, notebook, what in report:
        print(f"{learner:20} {notebook:40} {what}")
    print(f"grade them with: make grade SUBMISSIONS={args.out}")
    return 0


def _release(args) -> int:
    from helpers.tools.hub import spawner

    for name in room.learners(args.room):
        home = (Path(args.room) / name).resolve()
        info = home.stat()
        wrap = spawner.sandbox(info.st_uid, info.st_gid, home) if os.geteuid() == 0 \
            else None
        print(f"{name}:\n{room.make_learner_copies(home, wrap)}", end="")
    return 0


def _remove_accounts(args) -> int:
    from helpers.tools.hub import spawner

    removed = spawner.remove_accounts(args.names or None)
    print(f"removed {len(removed)} account(s): {' '.join(removed) or '-'} "
          "(their folders in the room are kept)")
    return 0


def main(argv: list[str]) -> int:
    args = settings.parse(argv)
    run = {"start": _start, "collect": _collect, "release": _release,
           "remove-accounts": _remove_accounts}[args.command]
    try:
        return run(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
