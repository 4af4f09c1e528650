"""Note [Simulator state per thread]: threads that simulate and threads that do not never meet.

Run: pytest tests/modes/test_sim_threads.py -q --mode=cpu (and --mode=npu_simulator)
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import opkit
from opkit import isolation, simulator


@pytest.fixture
def in_process():
    """Forking from several threads at once is unsafe; these launches run in this process."""
    before = isolation.enabled()
    isolation.set_isolation(False)
    yield
    isolation.set_isolation(before)


def test_overlapping_blocks_in_threads_keep_their_own_simulations(in_process) -> None:
    x = np.ones(4096, np.float16)
    start = threading.Barrier(3)
    results: dict[str, object] = {}

    def simulated(name: str, n: int) -> None:
        start.wait()
        with simulator.simulating() as sims:
            for _ in range(n):
                opkit.ops.add_custom(x, x)
            results[name] = (len(sims), simulator.last() is sims.last, {s.kernel for s in sims})
        results[name + " after"] = simulator.enabled()

    def plain() -> None:
        simulator.enable(False)  # this thread opts out, whatever the session's mode
        start.wait()
        for _ in range(30):
            opkit.ops.sinh_custom(x)
        results["plain"] = (simulator.last(), simulator.enabled())

    threads = [threading.Thread(target=simulated, args=("a", 20)), threading.Thread(target=simulated, args=("b", 7)),
               threading.Thread(target=plain)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results["a"] == (20, True, {"add_custom"})
    assert results["b"] == (7, True, {"add_custom"})
    assert results["plain"] == (None, False)  # nothing of the other threads' blocks reached it
    session_default = simulator.enabled()  # this thread never entered a block: the session's mode
    assert results["a after"] == results["b after"] == session_default


def test_nested_blocks_restore_the_outer_state(in_process) -> None:
    x = np.ones(256, np.float32)
    simulator.enable(False)
    try:
        with simulator.simulating() as outer:
            opkit.ops.add_custom(x, x)
            with simulator.simulating() as inner:
                opkit.ops.add_custom(x, x)
            assert simulator.enabled()  # the inner block's exit did not switch the outer one off
            opkit.ops.add_custom(x, x)
        assert not simulator.enabled()
        assert (len(outer), len(inner)) == (3, 1)
    finally:
        from opkit import _core

        _core.set_simulator(-1)  # this thread follows the session's mode again
