"""opkit's exception hierarchy: every error a user can meet is an ``OpkitError``."""

from __future__ import annotations


class OpkitError(Exception):
    """Base of every opkit error; the message says where, what, the value found and the fix."""


class SpecError(OpkitError, ValueError):
    """An op spec (msopgen JSON) is malformed."""


class BuildError(OpkitError):
    """Configuring or compiling an op project failed."""


class TilingError(OpkitError):
    """An op's host tiling function rejected its inputs."""


class KernelError(OpkitError, RuntimeError):
    """A kernel broke a rule the NPU enforces (UB overflow, queue misuse, ...) or failed to launch."""


class CheckError(OpkitError):
    """The npu_simulator mode found problems in a kernel; ``findings`` lists them."""

    def __init__(self, message: str, findings: list | None = None):
        super().__init__(message)
        self.findings = findings or []


class FindingWarning(UserWarning):
    """npu_simulator findings of a call that completed, with $OPKIT_FINDINGS=warn (Note [Findings as
    warnings], runtime/src/sim.h); ``findings`` holds them as CheckError's would."""

    def __init__(self, message: str, findings: list | None = None):
        super().__init__(message)
        self.findings = findings or []


class ModeUnavailable(OpkitError):
    """A verification mode was asked for but cannot run here; the message says why."""
