"""A small client of a running hub, for tests/test_hub.py: its REST API and the kernel API
of a learner's server (the Jupyter messaging protocol over the server's websocket)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import nbformat
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect


async def call(base: str, method: str, path: str, token: str, body=None,
               timeout: float = 120) -> tuple[int, object]:
    """(status, decoded JSON or text) of one request; never raises on an HTTP error."""
    request = HTTPRequest(
        f"{base}{path}", method=method, headers={"Authorization": f"token {token}"},
        body=None if body is None and method in ("GET", "DELETE") else json.dumps(body or {}),
        request_timeout=timeout, follow_redirects=False,
    )
    response = await AsyncHTTPClient().fetch(request, raise_error=False)
    text = response.body.decode() if response.body else ""
    try:
        return response.code, json.loads(text) if text else None
    except json.JSONDecodeError:
        return response.code, text


async def wait_ready(base: str, token: str, name: str, seconds: float = 240) -> None:
    """Wait until learner `name`'s server is ready (or fail saying what it is doing)."""
    deadline = time.monotonic() + seconds
    user = None
    while time.monotonic() < deadline:
        _, user = await call(base, "GET", f"/hub/api/users/{name}", token)
        server = (user or {}).get("servers", {}).get("")
        if server and server.get("ready"):
            return
        await asyncio.sleep(1)
    raise AssertionError(f"{name}'s server not ready after {seconds} s: {user}")


class Kernel:
    """One kernel of a learner's server, started through the sessions API."""

    def __init__(self, base: str, name: str, token: str, path: str):
        self.base, self.name, self.token, self.path = base, name, token, path
        self.session = uuid.uuid4().hex

    async def __aenter__(self):
        status, body = await call(
            self.base, "POST", f"/user/{self.name}/api/sessions", self.token,
            {"path": self.path, "type": "notebook", "name": "",
             "kernel": {"name": "cnn-course"}},
        )
        assert status == 201, f"{self.name}: no kernel for {self.path}: {status} {body}"
        self.session_id, self.kernel_id = body["id"], body["kernel"]["id"]
        url = (f"{self.base.replace('http', 'ws', 1)}/user/{self.name}/api/kernels/"
               f"{self.kernel_id}/channels?session_id={self.session}")
        self.ws = await websocket_connect(HTTPRequest(
            url, headers={"Authorization": f"token {self.token}"}, request_timeout=120))
        return self

    async def __aexit__(self, *exc):
        self.ws.close()
        await call(self.base, "DELETE",
                   f"/user/{self.name}/api/sessions/{quote(self.session_id)}", self.token)

    async def run(self, code: str, timeout: float = 300) -> tuple[str, float, str]:
        """Execute `code`; return (status, seconds, error text if any); the status is
        the reply's ("ok", "error") or "died" when the kernel died meanwhile."""
        msg_id = uuid.uuid4().hex
        self.ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": self.name, "session": self.session,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": datetime.now(UTC).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False,
                        "stop_on_error": True},
        }))
        start = time.monotonic()
        error = ""
        self.stdout = ""
        while True:
            raw = await asyncio.wait_for(self.ws.read_message(), timeout)
            assert raw is not None, f"{self.name}: the kernel's websocket closed"
            if not isinstance(raw, str):
                continue  # a binary message (buffers of a widget): not ours
            message = json.loads(raw)
            state = message.get("content", {}).get("execution_state")
            if state in ("restarting", "dead"):  # killed (its memory limit): no reply
                return "died", time.monotonic() - start, f"the kernel is {state}"
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["header"]["msg_type"]
            if kind == "stream" and message["content"]["name"] == "stdout":
                self.stdout += message["content"]["text"]
            if kind == "error":
                error = f"{message['content']['ename']}: {message['content']['evalue']}"
            if kind == "execute_reply" and message["channel"] == "shell":
                return message["content"]["status"], time.monotonic() - start, error

    async def output(self, code: str) -> str:
        """What `code` prints (it must succeed)."""
        status, _, error = await self.run(code)
        assert status == "ok", f"{self.name}: {error}"
        return self.stdout


async def run_notebook(base: str, name: str, token: str, path: str, source) -> dict:
    """Run every code cell of notebook file `source` in a kernel of `name`'s server
    opened at `path` (its folder is the kernel's working folder)."""
    cells = [c.source for c in nbformat.read(source, as_version=4).cells
             if c.cell_type == "code"]
    times, failures = [], []
    async with Kernel(base, name, token, path) as kernel:
        for index, code in enumerate(cells):
            status, seconds, error = await kernel.run(code)
            times.append(seconds)
            if status != "ok":
                failures.append(f"{name} {path} cell {index}: {status} {error}")
                break
    return {"learner": name, "path": path, "times": times, "failures": failures,
            "cells": len(cells)}
