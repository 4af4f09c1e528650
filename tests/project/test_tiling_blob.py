"""The tiling blob an op_host TilingFunc writes is exactly the struct the kernel reads."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

import opkit
from opkit import _core

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def echo(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("echo") / "EchoTiling"
    shutil.copytree(HERE / "echo_tiling", root)
    return opkit.load(root)


def test_kernel_reads_the_host_blob(echo) -> None:
    x = np.zeros(100, np.uint8)
    y = echo.echo_tiling(x, scale=1.25)
    plan = _core.prepare("EchoTiling", [([100], "uint8")], {"scale": 1.25}, None, echo._aclnn.scope)
    blob = plan.tiling
    # Note [Tiling blob]: packed, little-endian, declaration order, size rounded up to 4 bytes.
    fields = struct.pack("<BhfQ3iBB", 0xA5, -1234, 1.25, 100 + (1 << 40), 7, -8, 9, 0x5A, 0x33)
    assert len(fields) == 29  # no padding between fields
    assert blob == fields + b"\0\0\0"  # rounded up to whole 32-bit words with zeros
    assert bytes(y[:29]) == fields
    assert (y[29:] == 0xEE).all()  # the kernel's struct is exactly the 29 packed bytes


def test_attr_default_reaches_the_kernel(echo) -> None:
    y = echo.echo_tiling(np.zeros(3, np.uint8))
    assert struct.unpack_from("<f", bytes(y), 3)[0] == 0.5
