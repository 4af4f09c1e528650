"""A build progress display: a rich progress bar on a terminal, nothing otherwise."""

from __future__ import annotations

import sys
from types import TracebackType


class Progress:
    """``with Progress("building x", enabled=True) as p: p.update(done, total, what)``."""

    def __init__(self, label: str, enabled: bool = True):
        self.label = label
        self.enabled = enabled and sys.stderr.isatty()
        self._bar = None
        self._task = None

    def __enter__(self) -> Progress:
        if self.enabled:
            try:
                from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
                from rich.progress import Progress as RichProgress
            except ImportError:  # rich is a dependency; tolerate its absence anyway
                self.enabled = False
                return self
            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[what]}"), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(self.label, total=None, what="")
        return self

    def update(self, done: int, total: int, what: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total, what=what[-60:])

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(t, e, tb)
