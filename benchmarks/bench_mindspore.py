"""opkit.mindspore.custom(add_custom) against MindSpore's native ops.add per call (GRAPH_MODE, CPU).

    python benchmarks/bench_mindspore.py [--n 1000000] [--calls 200] [--json bench_mindspore.json]

Each call is one compiled graph with one add, synced with ``.asnumpy()``; native and custom calls are
interleaved so both see the same machine load, and the medians are compared. The target (issue 11):
custom at most 1.2x native at 1e6 float32 elements.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--json", default="bench_mindspore.json")
    args = p.parse_args()

    import mindspore as ms
    import numpy as np

    import opkit
    from opkit.mindspore import custom

    ms.set_context(mode=ms.GRAPH_MODE, device_target="CPU")

    class Add(ms.nn.Cell):
        def __init__(self, fn):
            super().__init__()
            self.fn = fn

        def construct(self, x, y):
            return self.fn(x, y)

    rng = np.random.default_rng(0)
    x = ms.Tensor(rng.random(args.n, dtype=np.float32))
    y = ms.Tensor(rng.random(args.n, dtype=np.float32))
    nets = {"native ops.add": Add(ms.ops.add), "custom(add_custom)": Add(custom(opkit.ops.add_custom))}
    np.testing.assert_array_equal(nets["custom(add_custom)"](x, y).asnumpy(), nets["native ops.add"](x, y).asnumpy())
    times: dict[str, list[float]] = {k: [] for k in nets}
    for _ in range(10):  # warm-up: compile, caches, thread pools
        for net in nets.values():
            net(x, y).asnumpy()
    for _ in range(args.calls):
        for name, net in nets.items():
            t = time.perf_counter()
            net(x, y).asnumpy()
            times[name].append(time.perf_counter() - t)
    med = {k: statistics.median(v) * 1e6 for k, v in times.items()}
    ratio = med["custom(add_custom)"] / med["native ops.add"]
    print(f"{args.n:.0e} float32 elements, GRAPH_MODE, median of {args.calls} interleaved calls (.asnumpy() synced)")
    print(f"{'':22}{'µs/call':>10}")
    for k, v in med.items():
        print(f"{k:22}{v:10.1f}")
    print(f"{'ratio custom/native':22}{ratio:10.2f}   (target <= 1.2)")
    result = {"n": args.n, "dtype": "float32", "mode": "GRAPH_MODE", "calls": args.calls, "median_us": med,
              "ratio": ratio, "machine": platform.platform(), "cpus": __import__("os").cpu_count(),
              "mindspore": ms.__version__, "opkit": opkit.__version__}
    with open(args.json, "w") as f:
        json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
