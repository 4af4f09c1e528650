"""A sanitizer build of opkit (Note [Sanitizer build] in CMakeLists.txt): its flags, and its reports.

Note [Sanitizer reports]: a test run under the sanitizers starts processes of three kinds: the test
process itself, the forked children that isolate each kernel launch (opkit/isolation.py), and the
CPU-debug programs the C++ tests run. A report in a child or a program only ends that process with
an error status, and a test that expects that process to fail (a crashing kernel, a program that
must stop with a finding) would pass on it. So the README's command sends every report to files
(``log_path`` in ASAN_OPTIONS and UBSAN_OPTIONS), and opkit's pytest plugin fails the session when a
file appeared during it, printing each one. ``-fno-sanitize-recover=undefined`` (CMakeLists.txt)
makes an undefined-behaviour report end its process like an AddressSanitizer one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .paths import LIB_DIR

FLAGS_FILE = LIB_DIR / "sanitize.flags"


def build_flags() -> list[str]:
    """The -fsanitize flags this opkit was built with ([] for a normal build)."""
    return FLAGS_FILE.read_text().split() if FLAGS_FILE.is_file() else []


PRELOAD = 'LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libstdc++.so)"'


def setup_problem() -> str | None:
    """Why this process cannot run a sanitizer build of opkit's extension, or None if it can (then the
    folder of the reports' log_path exists: AddressSanitizer would stop at a report it cannot write).

    Python is not instrumented, so AddressSanitizer's runtime must be preloaded; libstdc++ too, since
    ASan finds the real ``__cxa_throw`` when it starts, and without it the first C++ exception (an
    opkit error) stops the process with "CHECK failed: ... real___cxa_throw" (GCC 12, measured here).
    """
    if not FLAGS_FILE.is_file():
        return None
    maps = _mapped_files()
    if maps is None:
        return None  # not Linux: let the loader say it
    preload = os.environ.get("LD_PRELOAD", "")
    if "libasan" in maps and "libstdc++" in preload:
        asan, ubsan = _log_path("ASAN_OPTIONS"), _log_path("UBSAN_OPTIONS")
        if asan == ubsan:
            if asan:
                Path(asan).parent.mkdir(parents=True, exist_ok=True)
            return None
        # libubsan hands its own log_path to libasan when it starts (the two runtimes share symbol names),
        # so differing paths would send AddressSanitizer's reports to UBSan's place (GCC 12, measured here).
        return (f"ASAN_OPTIONS has log_path={asan or 'stderr'} and UBSAN_OPTIONS has log_path={ubsan or 'stderr'}; "
                "give both the same log_path (README, Sanitizers)")
    return ("this opkit is a sanitizer build (-Ccmake.define.OPKIT_SANITIZE=ON), and Python was started without "
            f"AddressSanitizer's runtime and libstdc++ preloaded; start it with {PRELOAD} (README, Sanitizers), "
            "or install the normal build again (pip install .)")


def _mapped_files() -> str | None:
    try:
        return Path("/proc/self/maps").read_text()
    except OSError:
        return None


def _log_path(var: str) -> str:
    """log_path in $var (ASAN_OPTIONS or UBSAN_OPTIONS), '' when it is unset or a standard stream."""
    path = ""
    for item in re.split(r"[:,\s]+", os.environ.get(var, "")):
        key, _, value = item.partition("=")
        if key == "log_path":
            path = value.strip("'\"")
    return "" if path in ("stderr", "stdout") else path


def report_files() -> set[Path]:
    """Every report file the sanitizers have written so far (``<log_path>.<pid>``)."""
    prefix = _log_path("ASAN_OPTIONS")
    if not prefix:
        return set()
    p = Path(prefix)
    return {f for f in p.parent.glob(p.name + ".*") if f.is_file()} if p.parent.is_dir() else set()
