"""The npu_simulator's performance model behaves like an AI Core: the properties any timing model of a
memory-bound kernel must have, and zero findings on opkit's own kernels.

Built-in ops run through the Python API (``simulator.simulating()`` and ``simulator.last()``); kernel
variants the ops cannot express (buffer count, core count) are programs/sim_model.cpp, whose printed
summary is parsed. The figures asserted are properties, not calibrations: the model is not calibrated
against hardware (runtime/src/sim.cpp, Note [Model parameters]).

Run: pytest tests/modes/test_model.py -q --mode=cpu
"""

from __future__ import annotations

import numpy as np
import pytest

import opkit
from opkit import simulator

SIM = "npu_simulator"
SEED = 20240601


# ---- kernel variants: programs/sim_model.cpp ------------------------------------------------------

def test_double_buffering_makes_a_memory_bound_kernel_faster(run_program, summary_of) -> None:
    # One core, 128 tiles of 2048 halves: the same work and tiles, 1 or 2 buffers per queue.
    runs = {}
    for buffers in (1, 2):
        proc = run_program("sim_model", buffers, 1, 128 * 2048, 2048, mode=SIM)
        assert proc.returncode == 0, proc.stderr
        runs[buffers] = summary_of(proc.stderr)
    single, double = runs[1], runs[2]
    assert single.findings_none and double.findings_none
    assert single.gm_megabytes == double.gm_megabytes == pytest.approx(128 * 2048 * 2 * 3 / 1e6, abs=1e-3)
    # Loads of tile t+1 overlap the add and store of tile t: clearly fewer cycles, busier MTE2.
    assert double.cycles < 0.8 * single.cycles, (single.cycles, double.cycles)
    assert double.utilisation["MTE2"] > single.utilisation["MTE2"]
    # One core whose GM port is busy is memory-bound, though it draws a fraction of the chip's peak.
    assert double.bound.startswith("memory"), double.bound


CORES = (1, 2, 4, 8, 16, 32, 48)


def test_more_cores_help_until_bandwidth_binds(run_program, summary_of) -> None:
    # The same 3 Mi halves per tensor on 1..48 cores in 16 KiB tiles (96 divides the tile count).
    total, tile = 96 * 4 * 8192, 8192
    runs = {}
    for cores in CORES:
        proc = run_program("sim_model", 2, cores, total, tile, mode=SIM)
        assert proc.returncode == 0, proc.stderr
        runs[cores] = summary_of(proc.stderr)
        assert runs[cores].findings_none and runs[cores].block_dim == cores
    cycles = [runs[c].cycles for c in CORES]
    share = {c: runs[c].achieved_gbps / runs[c].peak_gbps for c in CORES}
    # Up to 16 cores each core's own GM port is the limit: doubling the cores halves the time.
    for a, b in zip(CORES[:4], CORES[1:5]):
        assert 1.8 < runs[a].cycles / runs[b].cycles < 2.1, (a, b, cycles)
    # Past the chip's bandwidth (1.6 TB/s is ~27 cores' ports on 910B1) the time flattens:
    # 32 -> 48 cores is 1.5x the cores but far less than 1.5x the speed, and never slower.
    assert 1.0 <= runs[32].cycles / runs[48].cycles < 1.2, cycles
    assert all(later <= earlier * 1.001 for earlier, later in zip(cycles, cycles[1:])), cycles
    # The achieved bandwidth approaches the peak but never exceeds it.
    assert all(s <= 1.0 for s in share.values()), share
    assert max(share.values()) >= 0.75, share
    assert all(runs[c].bound.startswith("memory") for c in CORES), {c: runs[c].bound for c in CORES}


# ---- built-in ops: the Python API -----------------------------------------------------------------

def _simulate(op: str, *inputs: np.ndarray, soc: str | None = None) -> simulator.Simulation:
    with simulator.simulating():
        getattr(opkit.ops, op)(*inputs, soc=soc)
    sim = simulator.last()
    assert sim is not None and sim.kernel.startswith(op), sim
    return sim


SIZES = (1 << 21, 1 << 22, 1 << 23, 1 << 24)


def test_time_grows_linearly_with_size() -> None:
    cycles = []
    for n in SIZES:
        # Two arrays: one array passed twice is read from HBM once or twice, depending on whether
        # the call lent it or copied it (Note [Lent host memory]), which malloc's history decides.
        x = np.ones(n, np.float16)
        sim = _simulate("add_custom", x, x.copy())
        assert sim.gm_bytes >= 3 * x.nbytes
        cycles.append(sim.cycles)
    for (n0, c0), (n1, c1) in zip(zip(SIZES, cycles), zip(SIZES[1:], cycles[1:])):
        assert abs((c1 / c0) / (n1 / n0) - 1) <= 0.15, (n0, n1, c0, c1)


def test_add_custom_reaches_the_bandwidth_roofline() -> None:
    x = np.ones(16_000_000, np.float16)
    sim = _simulate("add_custom", x, x.copy(), soc="Ascend910B1")  # two buffers: the L2 serves no read
    assert sim.soc == "Ascend910B1" and sim.findings == []
    assert sim.gm_bytes == 3 * x.nbytes
    # the model bounds a launch by bytes / peak, so the share reaches 1 up to the rounding of that division
    assert 0.85 <= sim.bandwidth_share <= 1.0 + 1e-9, sim.text or sim.bandwidth_share
    assert sim.bound.startswith("memory"), sim.bound


def test_l2_serves_a_matmuls_rereads() -> None:
    # Note [L2 model]: each core reads its A row panel once per column block and its B column panel
    # once per row block; after the first read the L2 (192 MiB on 910B) serves them. An add's inputs
    # are read once: all from HBM.
    rng = np.random.default_rng(SEED)
    a = rng.standard_normal((1024, 1024)).astype(np.float16)
    w = rng.standard_normal((1024, 1024)).astype(np.float16)
    mm = _simulate("matmul_custom", a, w, soc="Ascend910B1")
    assert mm.findings == []
    c_bytes = 1024 * 1024 * 2
    # HBM: A and B at least once each (a line can be missed by two cores at once), C written once
    assert a.nbytes + w.nbytes + c_bytes <= mm.hbm_bytes < mm.gm_bytes / 2, (mm.hbm_bytes, mm.gm_bytes)
    assert 0 < mm.cube_peak_share < 1
    x = np.ones(1 << 20, np.float16)
    add = _simulate("add_custom", x, x.copy(), soc="Ascend910B1")
    assert add.hbm_bytes == add.gm_bytes == 3 * x.nbytes


def test_cores_that_share_panels_share_their_misses() -> None:
    # Note [Cores paced in simulated time]: the 24 cores of a 2048^3 matmul read A row panels and B
    # column panels that other cores read too. Each line comes from HBM once, for whichever core reads
    # it first in the model's time; before the cores were paced, the core the host ran first paid for
    # every shared line (it finished ~45% after the others at 4096^3). Also pins the Matmul API's
    # L1 prefetch and the tiler's cost model (Note [L1 prefetch], Note [Matmul tiling]): 13.6% of the
    # cube's peak before them.
    rng = np.random.default_rng(SEED)
    a = rng.uniform(-1, 1, (2048, 2048)).astype(np.float16)
    w = rng.uniform(-1, 1, (2048, 2048)).astype(np.float16)
    with simulator.simulating(trace=True) as sims:
        opkit.ops.matmul_custom(a, w, soc="Ascend910B1")
    sim = sims.last
    assert sim is not None and sim.findings == [] and sim.block_dim == 24
    ends: dict[int, float] = {}
    for core, _pipe, _name, _start, end, _bytes in sim.events:
        ends[core] = max(ends.get(core, 0.0), end)
    assert len(ends) == 24 and max(ends.values()) / min(ends.values()) < 1.1, sorted(ends.values())
    assert sim.cube_peak_share > 0.6 and sim.bound == "cube", (sim.cube_peak_share, sim.bound)


def test_shared_reads_cost_the_same_every_run(run_program, summary_of) -> None:
    # Every core reads the same y lines; the model's L2 charges each line's miss to the core that
    # reads it first. Vector launches are not paced, so that order is the host's: on two host workers
    # it changed from run to run, and so did the figures (Note [One host worker for an unpaced L2]).
    runs = set()
    for _ in range(5):
        proc = run_program("sim_model", "s", 16, 16 * 32 * 2048, 2048, mode=SIM)
        assert proc.returncode == 0, proc.stderr
        got = summary_of(proc.stderr)
        assert got.findings_none
        runs.add((got.cycles, got.gm_megabytes, tuple(sorted(got.utilisation.items()))))
    assert len(runs) == 1, runs


@pytest.mark.parametrize("rank, adapters", [(16, 0), (64, 8)], ids=["r16", "r64x8-per-row"])
def test_mix_kernel_figures_do_not_depend_on_host_order(rank: int, adapters: int) -> None:
    # lora_matmul_custom is a MIX kernel whose cores meet in CrossCoreSetFlag/WaitFlag and SyncAll. A
    # released waiter used to hold the others back only once its host worker resumed it, and in that gap
    # they read shared lines first: its figure moved between runs (11.1 or 12.8 µs for r16; 55.8 or 69.1
    # for r64x8) with the same inputs. Every core's every instruction must now land on the same cycles.
    rng = np.random.default_rng(SEED)
    m, k, n = 512, 1024, 1024
    x = rng.uniform(-1, 1, (m, k)).astype(np.float16)
    w = rng.uniform(-1, 1, (n, k)).astype(np.float16)
    lead = (adapters,) if adapters else ()
    ids = rng.integers(0, adapters, m).astype(np.int32) if adapters else None
    a = (rng.uniform(-1, 1, (*lead, rank, k)) / 8).astype(np.float16)
    b = (rng.uniform(-1, 1, (*lead, n, rank)) / 8).astype(np.float16)
    runs = []
    for _ in range(6):
        with simulator.simulating(trace=True) as sims:
            opkit.ops.lora_matmul_custom(x, w, a, b, None, ids, None, scale=0.5, soc="Ascend910B1")
        sim = sims.last
        assert sim is not None and sim.findings == []
        runs.append((sim.cycles, sim.gm_bytes, sorted(sim.events)))
    assert all(r == runs[0] for r in runs), sorted({r[0] for r in runs})


ARITY = {"add_custom": 2, "addcdiv_custom": 3, "sinh_custom": 1}
# Tails: 15 and 17 are not whole 32-byte blocks of fp16 or fp32; 8x2051 and 100003 leave a
# remainder after the per-core split. 910A has no DataCopyPad (another tail path) and needs >= 32 B.
SHAPES = {"Ascend910B1": [(15,), (17,), (4096,), (8, 2051), (100003,), (1 << 20,)],
          "Ascend910A": [(17,), (8, 2051), (100003,)]}
OWN = [pytest.param(op, dtype, soc, shape, id=f"{op}-{soc}-{dtype}-{'x'.join(map(str, shape))}")
       for op in ARITY for soc, shapes in SHAPES.items()
       for dtype in ("float16", "float32") for shape in shapes]


@pytest.mark.parametrize("op, dtype, soc, shape", OWN)
def test_own_kernels_have_no_findings(op: str, dtype: str, soc: str, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(SEED)
    inputs = [rng.uniform(1, 2, shape).astype(dtype) for _ in range(ARITY[op])]
    sim = _simulate(op, *inputs, soc=soc)  # a finding raises opkit.CheckError here
    assert sim.findings == [] and sim.soc == soc
    # Every input is read and the output written at least once (tails may round up to 32 bytes).
    assert sim.gm_bytes >= (ARITY[op] + 1) * inputs[0].nbytes
