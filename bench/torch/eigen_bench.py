#!/usr/bin/env python3
"""PyTorch side of Mnemo's eigenvalue benchmark (GpuBenchmarkRunner eigen).

    python3 bench/torch/eigen_bench.py [SHAPES.json] OUT.json [--repeats N]

(SHAPES.json is what scripts/gpu-bench.sh hands every script in bench/torch/; this one has its own
rows and ignores it.)

Rows, keyed like the Java report:
  batch/1000x16/fp32, batch/1000x16/fp64, batch/1000x64/fp32, batch/1000x64/fp64
      torch.linalg.eigvals of a [1000, n, n] tensor on cuda:0 (N(0, 1/n) entries, seed 1)
  single/N/fp32, single/N/fp64 for N = 64, 128, 256, 512, 1024, 2048
      torch.linalg.eigvals of one [N, N] matrix on cuda:0
Each timed call sits between two CUDA events (the result stays on the device; torch synchronises
inside eigvals anyway, since cuSOLVER's geev runs partly on the host). Single matrices: 3 warm-up
calls, then --repeats; the batches (seconds a call): 1 warm-up, then 3. OUT.json holds per key the
median and p10 / p90 in milliseconds.

Without torch or a CUDA device it writes {"available": false, "reason": ...} and exits 0.
"""
import json
import os
import platform
import sys


def summary(ms):
    s = sorted(ms)
    n = len(s)
    median = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2

    def rank(q):
        return s[min(n - 1, max(0, round(q * (n - 1))))]

    return {"median_ms": median, "p10_ms": rank(0.1), "p90_ms": rank(0.9), "runs": n}


def write(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def main(argv):
    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 10
    positional = [a for i, a in enumerate(argv[1:], 1)
                  if not a.startswith("--") and argv[i - 1] != "--repeats"]
    if not positional or len(positional) > 2:
        print("usage: eigen_bench.py [SHAPES.json] OUT.json [--repeats N]", file=sys.stderr)
        return 64
    out = positional[-1]
    try:
        import torch
    except ImportError as e:
        write(out, {"available": False, "reason": "no torch: %s" % e})
        return 0
    if not torch.cuda.is_available():
        write(out, {"available": False, "reason": "torch %s sees no CUDA device" % torch.__version__})
        return 0
    dev = torch.device("cuda:" + os.environ.get("MNEMO_BENCH_DEVICE", "0"))  # gpu-bench.sh: the same GPU as Mnemo
    torch.cuda.set_device(dev)  # events and streams on that device too
    gen = torch.Generator(device="cpu").manual_seed(1)

    def timed(x, runs, warmups=3):
        for _ in range(warmups):
            torch.linalg.eigvals(x)
        torch.cuda.synchronize()
        ms = []
        for _ in range(runs):
            start = torch.cuda.Event(enable_timing=True)
            stop = torch.cuda.Event(enable_timing=True)
            start.record()
            torch.linalg.eigvals(x)
            stop.record()
            stop.synchronize()
            ms.append(start.elapsed_time(stop))
        return summary(ms)

    results = {}
    dtypes = {"fp32": torch.float32, "fp64": torch.float64}
    for n in (16, 64):
        for name, dt in dtypes.items():
            x = (torch.randn(1000, n, n, generator=gen, dtype=torch.float64) / n ** 0.5).to(dev, dt)
            # 0.9-4.1 s a call on the H200 (one solver call per matrix) against Mnemo's 0.5-17 ms: three
            # runs after one warm-up settle ratios of 100x and more, and save about 40 s of a GPU lease.
            results["batch/1000x%d/%s" % (n, name)] = timed(x, 3, warmups=1)
            print("batch 1000x%d %s: %.3f ms" % (n, name, results["batch/1000x%d/%s" % (n, name)]["median_ms"]))
    for n in (64, 128, 256, 512, 1024, 2048):
        for name, dt in dtypes.items():
            x = (torch.randn(n, n, generator=gen, dtype=torch.float64) / n ** 0.5).to(dev, dt)
            results["single/%d/%s" % (n, name)] = timed(x, repeats)
            print("single %d %s: %.3f ms" % (n, name, results["single/%d/%s" % (n, name)]["median_ms"]))
    write(out, {
        "available": True,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "device": torch.cuda.get_device_name(dev),
        "python": platform.python_version(),
        "results": results,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
