"""A workshop server for a room: JupyterHub with the series (``make hub``).

``python -m helpers.tools.hub [start] [--ip IP] [--port N] ...`` starts JupyterHub 6 (in
the maintainer's lock) behind configurable-http-proxy (npm, ``make hub-proxy``) with the
configuration in ``jupyterhub_config.py``; ``collect`` copies the learners' notebooks
for ``make grade``; ``release`` writes learner copies that are missing (a lesson added
during the day); ``remove-accounts`` deletes the learners' system accounts after the
workshop. The modules, one topic each:

- `settings`: the command line, checked, turned into the hub's settings and its command;
- `room`: the learners' folders, their copies, collecting their work;
- `spawner`: `RoomSpawner`, each learner's server as their own account in their folder;
- `limits`: per-learner memory and CPU limits with control groups.

The Kubernetes route (Zero to JupyterHub) is ``k8s/``: a values file and a Dockerfile.
"""
