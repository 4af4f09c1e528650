"""tests/mindspore: opkit ops inside MindSpore. Without MindSpore every test here skips, and the reason
is the command that installs it."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
INSTALL = 'pip install "ascend-opkit[mindspore]"'
# origin None is a namespace package: this very directory (tests/ is on sys.path), not MindSpore
_SPEC = importlib.util.find_spec("mindspore")
HAVE_MINDSPORE = _SPEC is not None and _SPEC.origin is not None
MODES = ("pynative", "graph")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAVE_MINDSPORE:
        return
    skip = pytest.mark.skip(reason=f"MindSpore is not installed: {INSTALL}")
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def ms():
    import mindspore

    if int(np.__version__.split(".")[0]) >= 2:
        pytest.fail(f"numpy {np.__version__} with MindSpore: its C extension needs numpy<2 ({INSTALL} pins it)")
    mindspore.set_context(device_target="CPU")
    return mindspore


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest, ms):
    """Run the test in PyNative and in GRAPH_MODE (calls go through a Cell: compiled in GRAPH_MODE)."""
    ms.set_context(mode=ms.GRAPH_MODE if request.param == "graph" else ms.PYNATIVE_MODE)
    yield request.param
    ms.set_context(mode=ms.PYNATIVE_MODE)


@pytest.fixture(scope="session")
def scale_project(tmp_path_factory: pytest.TempPathFactory):
    """tests/mindspore/scale_custom built (ScaleCustom and its grad op ScaleGradCustom)."""
    import opkit

    root = tmp_path_factory.mktemp("ms") / "ScaleCustom"
    shutil.copytree(HERE / "scale_custom", root)
    return opkit.load(root)
