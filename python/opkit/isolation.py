"""Crash isolation: run a kernel in a child process so a crash cannot take Python down.

A kernel that dereferences a wild pointer, aborts, or loops forever would otherwise kill (or
hang) the Python process and the pytest session with it. With isolation on, each launch runs in
a forked child; outputs live in shared memory so the parent sees them, and the parent turns a
signal or a time-out into an ``opkit.KernelError`` naming the kernel and the signal.

>>> import opkit
>>> opkit.set_isolation(True)   # the pytest plugin does this for every test session
"""

from __future__ import annotations

import faulthandler
import mmap
import os
import pickle
import select
import signal
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import CheckError, KernelError, OpkitError, TilingError

if TYPE_CHECKING:
    import numpy as np

_enabled = os.environ.get("OPKIT_ISOLATE", "") == "1"


def set_isolation(on: bool) -> None:
    """Run every kernel launch in a child process (True) or in this process (False, faster)."""
    global _enabled
    _enabled = bool(on)


def enabled() -> bool:
    return _enabled


def timeout_seconds() -> float:
    """$OPKIT_KERNEL_TIMEOUT, else 300 s: how long a launch may run before it is killed."""
    text = os.environ.get("OPKIT_KERNEL_TIMEOUT", "300")
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value < float("inf")):
        raise OpkitError(f"OPKIT_KERNEL_TIMEOUT={text!r} is not a positive number of seconds (e.g. 300)")
    return value


def shared_empty(n_bytes: int) -> np.ndarray:
    """A uint8 buffer a forked child can write and the parent can read."""
    import numpy as np  # not at import time: the build runs opkit.spec without numpy

    buf = mmap.mmap(-1, max(n_bytes, 1))
    return np.frombuffer(buf, np.uint8, count=n_bytes)


_ERRORS = {1: TilingError, 2: KernelError, 3: OpkitError}

# Note [Crash phases]: a call runs user code in three places (InferShape, TilingFunc, the kernel). The
# child names the one it is in, in a page shared with the parent, so a crash is blamed on the function
# that crashed. `_phase` is only set in a child (a forked copy with one thread), never in the parent.
_PHASE_BYTES = 256
_phase: mmap.mmap | None = None


def in_child() -> bool:
    """Whether this process is an isolated child running one call."""
    return _phase is not None


def phase(what: str) -> None:
    """Say which user function the isolated child is about to run (a no-op outside a child)."""
    if _phase is not None:
        data = what.encode()[:_PHASE_BYTES - 1]
        _phase[:len(data) + 1] = data + b"\0"


def _read_phase(cell: mmap.mmap) -> str:
    return cell[:].split(b"\0", 1)[0].decode(errors="replace")


def run(fn: Callable[[], Any], label: str, what: str = "the kernel") -> Any:
    """Run ``fn`` in a forked child and return its (picklable) result; re-raise its opkit error,
    or report how it died, naming the function it was in (``what``, or what it said with ``phase``)."""
    global _phase
    limit = timeout_seconds()  # before the fork: a bad setting must not leave a child behind
    cell = mmap.mmap(-1, _PHASE_BYTES)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report, and leave without running the parent's exit handlers
        code, msg = 0, b""
        try:
            _phase = cell
            phase(what)
            os.close(r)
            if os.environ.get("OPKIT_DEBUG") != "1":
                # A crash here is the parent's KernelError, naming the signal. faulthandler (on under pytest)
                # would add a "Fatal Python error" dump of opkit's own Python frames, which reads as if the
                # test process died; OPKIT_DEBUG=1 keeps it.
                faulthandler.disable()
            msg = pickle.dumps(fn())
        except CheckError as e:
            code, msg = 4, pickle.dumps((str(e), e.findings))
        except TilingError as e:
            code, msg = 1, str(e).encode()
        except KernelError as e:
            code, msg = 2, str(e).encode()
        except OpkitError as e:
            code, msg = 3, str(e).encode()
        except BaseException as e:  # noqa: BLE001 - anything else is reported, not raised here
            code, msg = 2, f"{label}: {type(e).__name__}: {e}".encode()
        finally:
            try:
                os.write(w, struct.pack("<BI", code, len(msg)) + msg)
            finally:
                os._exit(0)
    os.close(w)
    reaped = False
    try:
        ready, _, _ = select.select([r], [], [], limit)
        if not ready:
            raise KernelError(f"{label}: {_read_phase(cell) or what} was still running after {limit:g} s, so it was "
                              "stopped (an endless loop? set OPKIT_KERNEL_TIMEOUT if it is only slow)")
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        _, status = os.waitpid(pid, 0)
        reaped = True
    finally:
        os.close(r)
        if not reaped:  # timed out, interrupted (Ctrl-C) or failed: the child must not outlive the call
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
    if len(data) >= 5:
        code, n = struct.unpack_from("<BI", data)
        body = data[5:5 + n]
        if code == 4:
            message, findings = pickle.loads(body)
            raise CheckError(message, findings)
        if code:
            raise _ERRORS[code](body.decode(errors="replace"))
        return pickle.loads(body)
    where = _read_phase(cell) or what
    error = KernelError if where == "the kernel" else OpkitError
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        raise error(f"{label}: {where} crashed with {signal.Signals(sig).name} ({signal.strsignal(sig)}); it ran "
                    "in a child process, so only this call was lost")
    raise error(f"{label}: {where} ended its process (exit status {os.WEXITSTATUS(status)}) before finishing")
