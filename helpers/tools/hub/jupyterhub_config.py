"""JupyterHub's configuration for a workshop room (read by ``jupyterhub -f``).

Start it with ``make hub`` or ``python -m helpers.tools.hub`` (see ``--help``), which
checks the settings, picks the internal ports and passes them here as JSON in the
``CNN_HUB_SETTINGS`` environment variable (passwords and tokens as the names of files,
never in the environment; JupyterHub does not pass it on to learners' servers). What it
sets up:

- the proxy: configurable-http-proxy from the npm registry (``make hub-proxy`` installs it
  into ``build/hub-node``), listening where the instructor said (``--ip``, ``--port``),
  with HTTPS when ``--ssl-cert`` and ``--ssl-key`` are given;
- login: a learner's name and the workshop's shared password
  (`SharedPasswordAuthenticator`; anyone with it can log in under any learner's name)
  or the machine's system accounts (PAM), and the instructor's admin name and password;
- each learner's server: `RoomSpawner` (their folder, copies, account and limits), the
  project's venv and only its kernel, ``Python 3 (cnn-course)``; kernels idle for 20
  minutes are shut down, so that a learner's earlier notebooks free their memory.
"""

import json
import os
from pathlib import Path

from helpers.tools.hub import room, spawner

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)
settings = json.loads(os.environ["CNN_HUB_SETTINGS"])
state = Path(settings["state"])


def _secret(path: str | None) -> str | None:
    return Path(path).read_text().strip() if path else None


# Where learners connect (the proxy), and the hub's own internal ports (localhost only).
c.JupyterHub.ip = settings["ip"]
c.JupyterHub.port = settings["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [settings["proxy"]]
if settings.get("ssl_cert"):
    c.JupyterHub.ssl_cert = settings["ssl_cert"]
    c.JupyterHub.ssl_key = settings["ssl_key"]

# The hub's own files, outside the room (learners never see them).
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server

# Login.
c.Authenticator.username_pattern = room.NAME.pattern
c.Authenticator.admin_users = set(settings["admins"])
if settings["learners"]:
    c.Authenticator.allowed_users = set(settings["learners"])
else:
    c.Authenticator.allow_all = True  # anyone who can log in is a learner
if settings["auth"] == "shared":
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = _secret(settings["password_file"])
    if settings["admins"]:
        c.SharedPasswordAuthenticator.admin_password = _secret(
            settings["admin_password_file"])
else:
    c.JupyterHub.authenticator_class = "pam"

# A token with the instructor's rights over the room, for scripts (and the tests).
if settings.get("api_token_file"):
    c.JupyterHub.services = [
        {"name": "room-admin", "api_token": _secret(settings["api_token_file"])}
    ]
    c.JupyterHub.load_roles = [{
        "name": "room-admin",
        "scopes": ["admin:users", "admin:servers", "tokens", "access:servers",
                   "list:users", "read:users"],
        "services": ["room-admin"],
    }]

# Each learner's server.
c.JupyterHub.spawner_class = spawner.RoomSpawner
c.RoomSpawner.room = settings["room"]
c.RoomSpawner.create_accounts = settings["auth"] == "shared"
c.Spawner.cmd = [str(spawner.VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/learner/00_start_here.ipynb"
c.Spawner.args = [
    # Kernels talk to their server over Unix sockets: over TCP, kernels that start at the
    # same moment in different learners' servers picked the same free port (seen with 10).
    "--KernelManager.transport=ipc",
    "--MappingKernelManager.default_kernel_name=cnn-course",
    "--KernelSpecManager.ensure_native_kernel=False",
    "--KernelSpecManager.allowed_kernelspecs=cnn-course",
    "--MappingKernelManager.cull_idle_timeout=1200",
    "--MappingKernelManager.cull_interval=60",
]
c.Spawner.mem_limit = settings["mem_limit"]
c.Spawner.cpu_limit = settings["cpu_limit"]
c.Spawner.start_timeout = 120  # a busy machine, and the learner copies at first login
c.Spawner.http_timeout = 90
