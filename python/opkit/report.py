"""Profiles of simulated launches: a summary table, a Chrome trace for Perfetto and a timeline PNG.

>>> from opkit import report
>>> sim = report.profile("add_custom", [[1 << 22]], "float16")
>>> sim.bound, sim.block_dim, sim.cycles > 0
('memory (GM bandwidth)', 48, True)

``python -m opkit profile OP --shape N`` runs a built-in op (or a project's op, ``--project DIR``)
on random inputs under the npu_simulator model with tracing, prints :func:`format_table`, and writes
``<op>_trace.json`` (:func:`write_chrome_trace`) and ``<op>_timeline.png``
(:func:`write_timeline_png`). Every figure comes from the model (opkit.simulator); this module only
lays it out. Times are the model's cycles at the SoC's clock: ``us = cycles / (clock_ghz * 1e3)``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import simulator
from .errors import CheckError, OpkitError
from .simulator import PIPES, Simulation

# Fixed colours per pipe so timelines of different runs compare at a glance.
MAX_TRACE_EVENTS = 200_000  # a Chrome trace of this many events is ~25 MB and still opens quickly
TIMELINE_CORES = 8


def _op(name: str, project: str | Path | None) -> Any:
    """The callable op ``name``, built-in or from a project, or an OpkitError naming the choices."""
    if project is not None:
        from .build import load

        lib = load(project)
        where = f"project {project}"
    else:
        from . import ops as lib

        where = "opkit.ops"
    from .library import Op

    found = getattr(lib, name, None) if not name.startswith("_") else None
    if not isinstance(found, Op):
        raise OpkitError(f"profile: {where} has no op {name!r} (available: {', '.join(dir(lib))})")
    return found


def _inputs(op: Any, shapes: Sequence[Sequence[int]], dtype: str, seed: int) -> list[np.ndarray]:
    """Random inputs in [0.5, 2): no zeros to divide by, no overflow in exp, for every built-in op."""
    from .library import _np_dtype

    tensors = [t for t in op.spec.inputs if t.param_type != "optional"]
    accepted = sorted({d.name for t in tensors for d in t.dtypes})
    if dtype not in accepted:
        raise OpkitError(f"profile: {op.spec.name}: --dtype {dtype!r} is not one of its dtypes "
                         f"(it takes {', '.join(accepted)})")
    if len(shapes) == 1:
        shapes = list(shapes) * len(tensors)
    if len(shapes) != len(tensors):
        raise OpkitError(f"profile: {op.spec.name} has {len(tensors)} input{'s' * (len(tensors) != 1)} "
                         f"({', '.join(t.name for t in tensors)}); give one --shape for all or one per input, "
                         f"got {len(shapes)}")
    rng = np.random.default_rng(seed)
    np_dtype = _np_dtype(dtype)
    if np_dtype.kind in "iu":
        return [rng.integers(1, 8, size=tuple(s)).astype(np_dtype) for s in shapes]
    return [rng.uniform(0.5, 2.0, size=tuple(s)).astype(np_dtype) for s in shapes]


def parse_shape(text: str) -> list[int]:
    """``"16000000"``, ``"8x2048"`` or ``"8,2048"`` as a list of dimensions.

    >>> parse_shape("8x2048")
    [8, 2048]
    """
    try:
        dims = [int(d) for d in text.replace(",", "x").split("x")]
    except ValueError:
        dims = []
    if not dims or any(d < 0 for d in dims):
        raise OpkitError(f"profile: --shape {text!r} is not a shape; write it as 16000000 or 8x2048")
    return dims


def parse_attrs(op: Any, items: Sequence[str]) -> dict[str, Any]:
    """``["value=0.5"]`` as keyword arguments of ``op``, each converted to its attr's type.

    >>> import opkit
    >>> parse_attrs(opkit.ops.addcdiv_custom, ["value=0.5"])
    {'value': 0.5}
    """
    kinds = {a.name: a.type for a in op.spec.attrs}
    bools = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    convert = {"int": int, "float": float, "bool": lambda v: bools[v.lower()], "string": str}
    out: dict[str, Any] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or name not in kinds:
            known = ", ".join(kinds) or "none"
            raise OpkitError(f"profile: --attr {item!r}: write NAME=VALUE with NAME an attr of "
                             f"{op.spec.name} (its attrs: {known})")
        kind = kinds[name]
        try:
            if kind.startswith("list_"):
                out[name] = [convert[kind[5:]](v) for v in value.split(",") if v]
            else:
                out[name] = convert.get(kind, str)(value)
        except (KeyError, ValueError):
            raise OpkitError(f"profile: --attr {item!r}: {value!r} is not a {kind.replace('_', ' of ')}") from None
    return out


def profile(op: str | Any, shapes: Sequence[Sequence[int]], dtype: str = "float16", soc: str | None = None,
            attrs: dict[str, Any] | None = None, seed: int = 0, trace: bool = True,
            project: str | Path | None = None) -> Simulation:
    """Run ``op`` (a name, or an op such as ``opkit.ops.add_custom``) once on random inputs under the
    simulator with tracing and return its :class:`Simulation`.

    One shape is used for every input; otherwise give one per input. A launch with findings still
    returns its simulation (the findings are in it) instead of raising CheckError.

    >>> sim = profile("addcdiv_custom", [[65536]], "float32", attrs={"value": 0.5})
    >>> sim.kernel, len(sim.events) > 0
    ('addcdiv_custom', True)
    """
    fn = _op(op, project) if isinstance(op, str) else op  # a name, or an op already looked up
    from .spec import dtype as spec_dtype

    try:  # accept the spec spellings (fp16, bf16, float) as well as numpy's
        dtype = spec_dtype(dtype).name
    except KeyError:
        pass  # reported with the op's dtypes by _inputs
    inputs = _inputs(fn, shapes, dtype, seed)
    before = simulator.last()
    try:
        with simulator.simulating(trace=trace):
            fn(*inputs, **(attrs or {}), soc=soc)
    except CheckError:
        if simulator.last() is before:
            raise
    sim = simulator.last()
    if sim is None or sim is before:
        raise OpkitError(f"profile: {fn.spec.name} ran but the simulator reported nothing; is this opkit built with it?")
    return sim


def clock_ghz(sim: Simulation) -> float:
    """The clock of the SoC the simulation ran on (the model counts cycles of it)."""
    from . import _core

    return float(_core.soc(sim.soc)["clock_ghz"])


@dataclass(frozen=True)
class TraceWritten:
    path: Path
    events: int       # "X" events written
    cores: int        # cores written (the first ones)
    total_cores: int  # cores in the launch


def _check_traced(sim: Simulation) -> None:
    # A kernel that ran no instruction has an empty (and valid) timeline; one that ran without
    # tracing has none to draw.
    if not sim.events and sim.cycles > 0:
        raise OpkitError(f"profile: {sim.kernel}: the simulation has no events; run it with trace=True")


def _cores_within(sim: Simulation, max_events: int) -> tuple[list[int], int]:
    """The first cores whose events together fit in ``max_events`` (at least one core)."""
    per_core = Counter(e[0] for e in sim.events)
    cores = sorted(per_core) or list(range(sim.block_dim))
    kept, n = [], 0
    for c in cores:
        if kept and n + per_core[c] > max_events:
            break
        kept.append(c)
        n += per_core[c]
    return kept, max(len(cores), sim.block_dim)


def chrome_trace(sim: Simulation, clock_ghz: float, cores: Sequence[int] | None = None) -> dict[str, Any]:
    """The Chrome trace event document of ``sim``: one process per core, one thread per pipe.

    >>> sim = profile("add_custom", [[4096]])
    >>> doc = chrome_trace(sim, clock_ghz(sim))
    >>> sorted({e["ph"] for e in doc["traceEvents"]})
    ['M', 'X']
    """
    per_us = clock_ghz * 1e3  # cycles per microsecond
    keep = set(range(sim.block_dim) if cores is None else cores)
    events: list[dict[str, Any]] = []
    seen: set[tuple[int, str]] = set()
    for core, pipe, name, start, end, nbytes in sim.events:
        if core not in keep:
            continue
        seen.add((core, pipe))
        events.append({"name": name, "cat": pipe, "ph": "X", "pid": core, "tid": PIPES.index(pipe),
                       "ts": start / per_us, "dur": (end - start) / per_us,
                       "args": {"bytes": nbytes, "start_cycle": start, "end_cycle": end}})
    meta: list[dict[str, Any]] = []
    for core in sorted({c for c, _ in seen}):
        meta.append({"name": "process_name", "ph": "M", "pid": core, "tid": 0, "args": {"name": f"core {core}"}})
        meta.append({"name": "process_sort_index", "ph": "M", "pid": core, "tid": 0, "args": {"sort_index": core}})
    for core, pipe in sorted(seen, key=lambda cp: (cp[0], PIPES.index(cp[1]))):
        tid = PIPES.index(pipe)
        meta.append({"name": "thread_name", "ph": "M", "pid": core, "tid": tid, "args": {"name": pipe}})
        meta.append({"name": "thread_sort_index", "ph": "M", "pid": core, "tid": tid, "args": {"sort_index": tid}})
    return {"traceEvents": meta + events, "displayTimeUnit": "ns",
            "otherData": {"kernel": sim.kernel, "soc": sim.soc, "model": sim.model, "block_dim": sim.block_dim,
                          "cycles": sim.cycles, "clock_ghz": clock_ghz}}


def write_chrome_trace(sim: Simulation, path: str | Path, clock_ghz: float,
                       max_events: int = MAX_TRACE_EVENTS) -> TraceWritten:
    """Write ``sim``'s trace (it must have run with ``trace=True``) as Chrome trace JSON for Perfetto.

    Beyond ``max_events`` only the first cores are written; the result says how many.

    >>> import tempfile, os
    >>> sim = profile("add_custom", [[4096]])
    >>> w = write_chrome_trace(sim, os.path.join(tempfile.mkdtemp(), "t.json"), clock_ghz(sim))
    >>> w.cores == w.total_cores
    True
    """
    _check_traced(sim)
    cores, total = _cores_within(sim, max_events)
    doc = chrome_trace(sim, clock_ghz, cores)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        json.dump(doc, f, separators=(",", ":"))
    n = sum(1 for e in doc["traceEvents"] if e["ph"] == "X")
    return TraceWritten(path, n, len(cores), total)


def _merged(spans: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """Join spans closer than ``gap`` (below a pixel): same picture, far fewer bars to draw."""
    out: list[list[float]] = []
    for start, end in sorted(spans):
        if out and start - out[-1][1] <= gap:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e - s) for s, e in out]


OTHER_COLOUR = "#b0b0b0"
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
            "#7f7f7f", "#aec7e8", "#ffbb78")


def instruction_colours(sim: Simulation) -> dict[str, str]:
    """A colour for each of the instructions that took the most time (up to 12, busiest first); the rest
    are drawn as "other"."""
    busy: dict[str, float] = {}
    for _, _, name, start, end, _ in sim.events:
        busy[name] = busy.get(name, 0.0) + (end - start)
    ranked = sorted(busy, key=lambda n: -busy[n])[:len(_PALETTE)]
    return {name: _PALETTE[i] for i, name in enumerate(ranked)}


def busiest_per_pipe(sim: Simulation) -> dict[str, tuple[str, float]]:
    """For each pipe: the instruction that kept it busiest and its share of the pipe's busy time.

    >>> sim = profile("addcdiv_custom", [[65536]], attrs={"value": 0.5})  # doctest: +SKIP
    >>> busiest_per_pipe(sim)["MTE2"][0]  # doctest: +SKIP
    'DataCopy'
    """
    per: dict[str, dict[str, float]] = {}
    for _, pipe, name, start, end, _ in sim.events:
        names = per.setdefault(pipe, {})
        names[name] = names.get(name, 0.0) + (end - start)
    out = {}
    for pipe, names in per.items():
        name = max(names, key=lambda n: names[n])
        total = sum(names.values())
        out[pipe] = (name, names[name] / total if total else 0.0)
    return out


def write_timeline_png(sim: Simulation, path: str | Path, clock_ghz: float, max_cores: int = TIMELINE_CORES) -> Path:
    """Draw the pipes of the first ``max_cores`` cores as rows of bars over time (µs), to a PNG. Bars are
    coloured by instruction; each pipe's label names its busiest instruction and its share.

    Uses matplotlib's non-interactive Agg canvas directly, so no display and no pyplot state.

    >>> import tempfile, os
    >>> sim = profile("add_custom", [[4096]])
    >>> write_timeline_png(sim, os.path.join(tempfile.mkdtemp(), "t.png"), clock_ghz(sim)).stat().st_size > 1000
    True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    _check_traced(sim)
    per_us = clock_ghz * 1e3
    all_cores = sorted({e[0] for e in sim.events})
    cores = all_cores[:max_cores]
    pipes = [p for p in PIPES if any(e[1] == p for e in sim.events)]
    colours = instruction_colours(sim)
    spans: dict[tuple[int, str, str], list[tuple[float, float]]] = {}
    for core, pipe, name, start, end, _ in sim.events:
        if core in cores:
            spans.setdefault((core, pipe, name), []).append((start / per_us, end / per_us))
    total_us = max([sim.cycles, 1.0] + [e[4] for e in sim.events]) / per_us
    rows = [(c, p) for c in cores for p in pipes]
    top = busiest_per_pipe(sim)

    fig = Figure(figsize=(12, 1.6 + 0.26 * len(rows)), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for i, (core, pipe) in enumerate(rows):
        y = len(rows) - 1 - i  # core 0 at the top
        for (c, p, name), bars in spans.items():
            if (c, p) == (core, pipe):
                ax.broken_barh(_merged(bars, total_us / 3000), (y + 0.1, 0.8),
                               facecolors=colours.get(name, OTHER_COLOUR), linewidth=0)
        if pipe == pipes[0] and i:
            ax.axhline(y + 1, color="#cccccc", linewidth=0.6)
    ax.set_yticks([len(rows) - 1 - i + 0.5 for i in range(len(rows))])
    ax.set_yticklabels([f"core {c} {p}" + (f" ({top[p][0]} {top[p][1]:.0%})" if c == cores[0] else "")
                        for c, p in rows], fontsize=7)
    ax.set_ylim(0, max(len(rows), 1))
    ax.set_xlim(0, total_us)
    ax.set_xlabel("time (µs)")
    ax.set_title(f"{sim.kernel} on {sim.soc}: {sim.cycles:,.0f} cycles = {sim.microseconds:.2f} µs, "
                 f"bound by {sim.bound}", fontsize=9, loc="left")
    if colours:
        handles = [Patch(color=c, label=n) for n, c in colours.items()]
        if any(e[2] not in colours for e in sim.events):
            handles.append(Patch(color=OTHER_COLOUR, label="other"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7,  # right of the rows
                  frameon=False, title="instruction", title_fontsize=7)
    note = f"model: {sim.model}" + ("" if rows else "; the kernel ran no instruction")
    if len(all_cores) > len(cores):
        note = f"showing cores {cores[0]}-{cores[-1]} of {len(all_cores)}; {note}"
    fig.text(0.01, 0.005, note, fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def summary_rows(sim: Simulation) -> list[tuple[str, str]]:
    """The profile as (what, value) rows, the content of :func:`format_table`."""
    clock = clock_ghz(sim)
    rows = [("kernel", f"{sim.kernel} on {sim.soc}, blockDim {sim.block_dim}"),
            ("model", sim.model),
            ("time", f"{sim.cycles:,.0f} cycles = {sim.microseconds:,.2f} µs at {clock:g} GHz")]
    for pipe in PIPES:
        busy = sim.pipe_busy_cycles.get(pipe, 0.0)
        if busy:
            cores = f"{sim.block_dim} core{'s' * (sim.block_dim != 1)}"
            util = sim.pipe_utilisation.get(pipe, 0.0)
            rows.append((f"pipe {pipe}", f"{busy:,.0f} busy cycles over {cores}, {util:.0%} utilised"))
    achieved, peak = sim.bandwidth_share * sim.peak_bytes_per_second / 1e9, sim.peak_bytes_per_second / 1e9
    bandwidth = f"{achieved:,.1f} GB/s achieved of {peak:,.1f} GB/s peak = {sim.bandwidth_share:.0%} of the roofline"
    rows += [("GM traffic", f"{sim.gm_bytes:,} bytes ({sim.gm_bytes / 1e6:,.3f} MB)"
                            + (f", {sim.hbm_bytes / 1e6:,.3f} MB of it to/from HBM (the rest from L2)"
                               if 0 < sim.hbm_bytes < sim.gm_bytes else "")),
             ("bandwidth", bandwidth)]
    if sim.cube_peak_share > 0:
        rows.append(("cube", f"{sim.cube_peak_share:.1%} of the modelled cube peak (MAC cycles over time x cube cores)"))
    rows.append(("bound", sim.bound))
    if sim.findings:
        rows += [("finding" if i == 0 else "", str(f)) for i, f in enumerate(sim.findings)]
    else:
        rows.append(("findings", "none"))
    return rows


def format_table(sim: Simulation, rich: bool = False) -> str:
    """The profile summary: plain aligned text, or a rich table (for a terminal) with ``rich``.

    >>> sim = profile("add_custom", [[4096]])
    >>> "cycles" in format_table(sim) and "bound" in format_table(sim)
    True
    """
    rows = summary_rows(sim)
    if rich:
        try:
            from rich.console import Console
            from rich.table import Table
        except ImportError:  # rich is a dependency; tolerate its absence anyway
            rich = False
    if not rich:
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)
    table = Table(title=f"npu_simulator profile: {sim.kernel}", show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for k, v in rows:
        table.add_row(k, f"[red]{v}[/]" if k == "finding" or (not k and sim.findings) else v)
    console = Console(record=True)
    with console.capture() as cap:
        console.print(table)
    return cap.get().rstrip("\n")


def run_profile(op: str, shapes: Sequence[Sequence[int]], dtype: str = "float16", soc: str | None = None,
                attrs: Sequence[str] = (), out: str | Path = "opkit_profile", seed: int = 0,
                project: str | Path | None = None, tty: bool = False) -> int:
    """The ``profile`` command: profile, print the table, write the trace and the timeline.

    >>> run_profile("add_custom", [[4096]], out="/tmp/opkit-profile")  # doctest: +SKIP
    """
    fn = _op(op, project)
    sim = profile(fn, shapes, dtype, soc, parse_attrs(fn, attrs), seed, trace=True)
    shown = ", ".join("x".join(map(str, s)) for s in shapes)
    print(f"profile: {op} {dtype} [{shown}] under the npu_simulator model")
    if os.environ.get("OPKIT_SIMULATOR") == "camodel":
        print("note: OPKIT_SIMULATOR=camodel does not apply here: this profile is opkit's model (CANN's own "
              "timing of camodel runs comes from its msprof op simulator)")
    print(format_table(sim, rich=tty))
    clock = clock_ghz(sim)
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        trace = write_chrome_trace(sim, out / f"{op}_trace.json", clock)
        png = write_timeline_png(sim, out / f"{op}_timeline.png", clock)
    except OSError as e:
        raise OpkitError(f"profile: cannot write into --out {str(out)!r}: {e.strerror or e}; "
                         "choose a directory you can write") from None
    print(f"+ {trace.path}  (Chrome trace, {trace.events:,} events; open in https://ui.perfetto.dev)")
    if trace.cores < trace.total_cores:
        print(f"  only cores 0-{trace.cores - 1} of {trace.total_cores} are in the trace, to keep it under "
              f"{MAX_TRACE_EVENTS:,} events")
    print(f"+ {png}  (timeline" + (f", first {TIMELINE_CORES} of {trace.total_cores} cores)"
                                   if trace.total_cores > TIMELINE_CORES else ")"))
    return 0
