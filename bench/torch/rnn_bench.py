#!/usr/bin/env python3
"""PyTorch/cuDNN side of Mnemo's GPU recurrent benchmark.

    python3 bench/torch/rnn_bench.py SHAPES.json OUT.json

SHAPES.json is written by `GpuBenchmarkRunner --emit-shapes` (the shape list and the timing policy
live there, in one place). For every shape: torch.nn.RNN (tanh) / LSTM / GRU, one layer,
unidirectional, input [T, B, I], float32 on cuda:N (MNEMO_BENCH_DEVICE, default 0),
torch.backends.cudnn.benchmark = True, and TF32 switched exactly per row (cuda.matmul.allow_tf32
and cudnn.allow_tf32 both True for "tf32", both False for "fp32" -- PyTorch's default leaves cuDNN
TF32 on). Forward ("fwd", inference) runs the layer in eval() mode
under torch.inference_mode(): no_grad alone leaves the module in training mode, which PyTorch passes
to cuDNN as its training forward (reserve space written), so inference would be timed as training.
The training forward ("fwd_train") runs in train() mode with x requiring grad and no backward, so
cuDNN keeps its reserve space for one, as Mnemo's forward keeps its trace; forward+backward (train()
mode) zeroes the grads, runs forward with x requiring grad, and backward with dL/doutput = 1. The
first shape is measured once more before every other and that pass discarded (cuDNN's and cuBLAS's
set-up, the GPU's clocks), as the Java runner does. Each timed run sits between two CUDA events; warm-up as the Java runner does (at
least `warmup` runs and `min_warmup_ms`). OUT.json holds, per key "CELL/shape/math", the median and
p10 / p90 in milliseconds, keyed like the Java report, and under "measured" the dimensions, math and
repeat counts it timed: the report compares a row only where they are its own.

A shape with "P" (the "projected" row) is an LSTM with proj_size=P, and dL/doutput has P features.
A shape with "lengths" (the "packed" rows: one length per batch row) runs as a variable-length
batch: pack_padded_sequence(x, lengths, enforce_sorted=False), the layer on the packed sequence,
and pad_packed_sequence back to [T, B, H], all inside the timed region, as Mnemo's packed call sorts
and unsorts its rows inside its own.

Without torch or a CUDA device it writes {"available": false, "reason": ...} with no results and
exits 0.
"""
import json
import math
import os
import platform
import sys
import time


def summary(ms):
    s = sorted(ms)
    n = len(s)
    median = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2

    def rank(q):
        return min(max(int(math.ceil(q * n)) - 1, 0), n - 1)

    return {"median_ms": median, "p10_ms": s[rank(0.10)], "p90_ms": s[rank(0.90)], "n": n}


def write(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def main(argv):
    if len(argv) != 3:
        print("usage: rnn_bench.py SHAPES.json OUT.json", file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        spec = json.load(f)
    out = argv[2]
    try:
        import torch
    except ImportError as e:
        print("rnn_bench: torch unavailable (%s)" % e)
        write(out, {"available": False, "reason": "torch unavailable: %s" % e, "info": {}, "results": {}})
        return 0
    if not torch.cuda.is_available():
        print("rnn_bench: torch %s sees no CUDA device" % torch.__version__)
        write(out, {"available": False, "reason": "torch %s: no CUDA device" % torch.__version__,
                    "info": {"version": torch.__version__}, "results": {}})
        return 0

    torch.backends.cudnn.benchmark = True
    dev = torch.device("cuda:" + os.environ.get("MNEMO_BENCH_DEVICE", "0"))  # gpu-bench.sh: the same GPU as Mnemo
    torch.cuda.set_device(dev)  # events and streams on that device too
    info = {
        "version": torch.__version__,
        "cuda": str(torch.version.cuda),
        "cudnn": str(torch.backends.cudnn.version()),
        "device": torch.cuda.get_device_name(dev),
        "python": platform.python_version(),
    }
    warmup = int(spec.get("warmup", 5))
    min_warmup_s = float(spec.get("min_warmup_ms", 250)) / 1000.0
    max_warmup = int(spec.get("max_warmup", 200))
    rep_fwd = int(spec.get("repeats_fwd", 20))
    rep_fb = int(spec.get("repeats_fwd_bwd", 10))
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)

    def timed(op, repeats):
        t0 = time.perf_counter()
        i = 0
        while i < max_warmup and (i < warmup or time.perf_counter() - t0 < min_warmup_s):
            op()
            torch.cuda.synchronize()
            i += 1
        ms = []
        for _ in range(repeats):
            start.record()
            op()
            end.record()
            end.synchronize()
            ms.append(start.elapsed_time(end))
        return summary(ms)

    cells = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}
    results = {}

    def measure(s):
        tf32 = s["math"] == "tf32"
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        try:
            torch.manual_seed(1)
            proj = s.get("P", 0)   # the "projected" rows: an LSTM with proj_size
            extra = {"proj_size": proj} if proj else {}
            layer = cells[s["cell"]](s["I"], s["H"], num_layers=1, **extra).to(dev)
            x = torch.rand(s["T"], s["B"], s["I"], device=dev) * 2 - 1
            xg = x.clone().requires_grad_(True)
            dy = torch.ones(s["T"], s["B"], proj or s["H"], device=dev)
            lengths = torch.tensor(s["lengths"]) if "lengths" in s else None   # on the CPU, as pack wants

            def run(inp):
                if lengths is None:
                    return layer(inp)[0]
                packed = torch.nn.utils.rnn.pack_padded_sequence(inp, lengths, enforce_sorted=False)
                return torch.nn.utils.rnn.pad_packed_sequence(layer(packed)[0], total_length=s["T"])[0]

            def forward():
                with torch.inference_mode():
                    run(x)

            def forward_train():
                run(xg)

            def forward_backward():
                layer.zero_grad(set_to_none=False)
                xg.grad = None
                run(xg).backward(dy)

            layer.eval()    # inference: cuDNN's inference forward
            fwd = timed(forward, rep_fwd)
            layer.train()   # the training columns
            fb = timed(forward_backward, rep_fb)
            ft = timed(forward_train, rep_fwd)
            return {"fwd": fwd, "fwd_train": ft, "fwd_bwd": fb}
        except Exception as e:  # one failing row must not lose the others
            return {"error": "%s: %s" % (type(e).__name__, e)}
        finally:
            torch.cuda.empty_cache()

    if spec["shapes"]:
        measure(spec["shapes"][0])   # discarded: library set-up and GPU clocks, before any timed shape
    for s in spec["shapes"]:
        r = measure(s)
        # what this row timed, so that the report never sets it beside another shape's or policy's times
        r["measured"] = {k: s[k] for k in ("T", "B", "I", "H", "P", "lengths", "math") if k in s}
        r["measured"].update(repeats_fwd=rep_fwd, repeats_fwd_bwd=rep_fb)
        results[s["key"]] = r
        if "error" in r:
            print("%s failed: %s" % (s["key"], r["error"]))
        else:
            print("%-24s fwd %9.3f ms  fwd+bwd %9.3f ms  (training fwd %.3f ms)"
                  % (s["key"], r["fwd"]["median_ms"], r["fwd_bwd"]["median_ms"], r["fwd_train"]["median_ms"]))
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = True
    write(out, {"available": True, "reason": "", "info": info, "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
