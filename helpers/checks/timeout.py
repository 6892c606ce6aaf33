"""Run the learner's function under a time limit, on any operating system.

A self-check must never hang the notebook: a learner's ``while`` loop that never ends
has to become a verdict ("took too long"), not a kernel that must be restarted.

`signal.alarm` would be the textbook answer, but it exists only on POSIX and works only
in the main thread. What works the same on Linux, macOS and Windows:

1. The learner's function runs in a worker thread (with the caller's context variables,
   so `print` inside it still lands in the notebook cell that runs the check).
2. The caller waits for it with a timeout (`Thread.join(timeout)`).
3. When the time is up, the caller raises `TimeLimitExceeded` *inside* the worker with
   CPython's ``PyThreadState_SetAsyncExc``; the interpreter delivers it at the worker's
   next bytecode, which stops any loop written in Python (numpy calls in it included,
   between two calls). It repeats this for a short grace period, in case the learner's
   code catches it with a bare ``except:``.
4. If the worker still runs (it is stuck inside one long C call, e.g. ``time.sleep``),
   the caller stops waiting and reports it; the daemon thread is left to finish on its
   own, and the kernel stays usable.
"""

from __future__ import annotations

import contextvars
import ctypes
import threading
import time

DEFAULT_SECONDS = 10.0
"""Time limit for one call of the learner's function."""

GRACE_SECONDS = 2.0
"""After the time limit: how long to keep interrupting before giving up waiting."""


WORKER_STACK_BYTES = 64 * 2**20
"""Stack of the thread that runs the learner's code (the main thread's is 8 MiB on
Linux and macOS, 1 MiB on Windows)."""


class TimeLimitExceeded(BaseException):
    """Raised inside the learner's code when it runs past the time limit.

    A `BaseException`, not an `Exception`, so a learner's ``except Exception:`` does not
    swallow it.
    """


class TookTooLong(Exception):
    """What `call_with_time_limit` raises in the caller when the limit is passed.

    Attributes
    ----------
    seconds : float
        The time limit.
    still_running : bool
        True when the learner's code could not be stopped (one long C call) and is
        still running in a background thread.
    """

    def __init__(self, seconds: float, still_running: bool):
        self.seconds = seconds
        self.still_running = still_running
        super().__init__(f"took longer than {seconds:g} s")


def _interrupt(thread_id: int, exc_type) -> bool:
    """Schedule `exc_type` to be raised in the thread `thread_id`; False if impossible."""
    try:
        set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except AttributeError:  # not CPython
        return False
    changed = set_async_exc(ctypes.c_ulong(thread_id), ctypes.py_object(exc_type))
    if changed > 1:  # cannot happen for one id; undo rather than hit other threads
        set_async_exc(ctypes.c_ulong(thread_id), None)
        return False
    return changed == 1


def _quiet_thread_hook():
    """Let a `TimeLimitExceeded` that arrives as a worker exits end it silently
    (instead of a traceback on stderr); every other exception is reported as before."""
    if getattr(threading.excepthook, "_helpers_quiet", False):
        return
    previous = threading.excepthook

    def hook(args):
        if args.exc_type is TimeLimitExceeded:
            return
        previous(args)

    hook._helpers_quiet = True
    threading.excepthook = hook


def call_with_time_limit(function, args=(), kwargs=None, seconds=DEFAULT_SECONDS):
    """Return ``function(*args, **kwargs)``, or raise `TookTooLong` after `seconds`.

    An exception raised by `function` is re-raised in the caller as it came. With
    ``seconds=None`` the function runs directly, without a thread.

    Parameters
    ----------
    function : callable
    args : tuple
    kwargs : dict or None
    seconds : float or None
        The time limit (> 0).
    """
    kwargs = kwargs or {}
    if seconds is None:
        return function(*args, **kwargs)
    outcome = {}

    def run():
        try:
            try:
                outcome["value"] = function(*args, **kwargs)
            except TimeLimitExceeded:
                outcome["stopped"] = True
            except BaseException as exc:  # handed to the caller, re-raised there
                outcome["error"] = exc
            finally:
                outcome["finished"] = True
        except TimeLimitExceeded:  # delivered just after the function ended
            outcome["stopped"] = True

    _quiet_thread_hook()

    context = contextvars.copy_context()
    worker = threading.Thread(target=context.run, args=(run,), daemon=True,
                              name="learner-code")
    # A thread's stack is smaller than the main thread's (512 KiB on macOS): give the
    # learner's code the room it would have had, for recursion through C calls.
    try:
        previous = threading.stack_size(WORKER_STACK_BYTES)
    except (ValueError, RuntimeError):  # a platform that does not allow it
        previous = None
    try:
        worker.start()
    finally:
        if previous is not None:
            threading.stack_size(previous)
    try:
        worker.join(seconds)
    except KeyboardInterrupt:  # the notebook's stop button: stop the learner's code too
        _interrupt(worker.ident, KeyboardInterrupt)
        worker.join(GRACE_SECONDS)
        raise
    if worker.is_alive():
        deadline = time.monotonic() + GRACE_SECONDS
        while worker.is_alive() and time.monotonic() < deadline:
            if not outcome.get("finished"):
                _interrupt(worker.ident, TimeLimitExceeded)
            worker.join(0.05)
        raise TookTooLong(seconds, still_running=worker.is_alive())
    if "error" in outcome:
        error = outcome["error"]
        raise error.with_traceback(error.__traceback__)
    if outcome.get("stopped"):  # finished just as the limit came
        raise TookTooLong(seconds, still_running=False)
    return outcome.get("value")
