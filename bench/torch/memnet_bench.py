#!/usr/bin/env python3
"""PyTorch side of Mnemo's MemNet read benchmark (gpu-anchors.md, "Single-query attention read").

    python3 bench/torch/memnet_bench.py [SHAPES.json] OUT.json [--repeats N]

(SHAPES.json is what scripts/gpu-bench.sh hands every script in bench/torch/; this one has its own
shapes and ignores it.)

For each (B, N, d) of the anchors (64x128x64, 64x1024x64, 256x1024x64, 64x8192x64, 1024x256x32,
and 1x65536x64), times on cuda:0 with CUDA events (median of N runs after warm-up):
  sdpa_fp32     F.scaled_dot_product_attention, q [B,1,1,d], K/V [B,1,N,d], float32
  bmm_fp32      s = bmm(K, q), softmax over N, c = bmm(a, V), float32 (the best fp32 path)
  flash_bf16    SDPA restricted to the flash backend, q/K/V bfloat16
  copy          dst.copy_(src) of a float32 tensor of K+V's size: the copy ceiling
  copy_graph    the same copy, 20 to a CUDA graph, per copy: the ceiling beside a read timed in a graph
Bytes are those of K and V read once (B·N·2d·element size), as in gpu-anchors.md; the copy row
counts its read and its write (2 × K+V bytes).
And the fused-read comparison ("seq"): MemNet's read over a whole sequence, T = 64 steps, B = 256,
M = 8, d_k = d_v = 32, as a Python loop of bmm-softmax-bmm with autograd (zero rows before the
first step play the empty slots), forward + backward of sum(c).
And the whole cell ("cell"): MemNet as memnet.md writes it (u_t = [x_t, dropout(relu(h_{t-1})), c_{t-1}],
o_t = W u_t + b split into q | k | v, the read before the write, a FIFO of M slots, y_t = W_s h_t + b_s
+ W_c c_t + b_c), in training mode with the code's defaults (d_in = d_out = 1, d_k = d_v = 32, M = 8,
dropout 0.1, learned h_0 and c_0: 12,738 parameters), T = 64, B = 256, forward + backward of sum(y):
the loop a PyTorch user writes for this cell, beside Mnemo's MemNet layer; and the same cell with
M = 128 over T = 160 steps (CELLS).

Writes {"available", "reason", "info", "results": {KEY: {median_ms, p10_ms, p90_ms, n, gbps}}}
with KEY "PATH/BxNxd" (or "seq_loop_fwd_bwd/T64xB256xM8xd32", "cell_loop_fwd_bwd/T64xB256xM8xd32xin1"). Without torch or CUDA it writes
available = false and exits 0.
"""
import json
import math
import os
import sys
import time

MIN_WARMUP_RUNS, MIN_WARMUP_S, MAX_WARMUP_RUNS = 10, 0.25, 20000   # MemnetReadBench's warm-up policy
SHAPES = [(64, 128, 64), (64, 1024, 64), (256, 1024, 64), (64, 8192, 64), (1024, 256, 32), (1, 65536, 64)]
SEQ = dict(T=64, B=256, M=8, d=32)
CELLS = [(64, 8), (160, 128)]  # (T, M) of the whole-cell loops; B and d as SEQ


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
    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 50
    positional = [a for i, a in enumerate(argv[1:], 1)
                  if not a.startswith("--") and argv[i - 1] != "--repeats"]
    if not positional or len(positional) > 2:
        print("usage: memnet_bench.py [SHAPES.json] OUT.json [--repeats N]", file=sys.stderr)
        return 2
    out = positional[-1]
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        write(out, {"available": False, "reason": "torch unavailable: %s" % e, "info": {}, "results": {}})
        return 0
    if not torch.cuda.is_available():
        write(out, {"available": False, "reason": "torch %s: no CUDA device" % torch.__version__,
                    "info": {"version": torch.__version__}, "results": {}})
        return 0
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cuda:" + os.environ.get("MNEMO_BENCH_DEVICE", "0"))  # gpu-bench.sh: the same GPU as Mnemo
    torch.cuda.set_device(dev)  # events and streams on that device too

    def timed(op, n):
        # warmed as MemnetReadBench.time warms the Java side: at least 10 runs and 250 ms, at most 20,000,
        # syncing every 256 (10 runs alone gave a fresh process's first reads about 1 ms of warm-up)
        t0 = time.perf_counter()
        i = 0
        while i < MAX_WARMUP_RUNS and (i < MIN_WARMUP_RUNS or time.perf_counter() - t0 < MIN_WARMUP_S):
            op()
            if i % 256 == 255:
                torch.cuda.synchronize()
            i += 1
        torch.cuda.synchronize()
        ms = []
        for _ in range(n):
            a = torch.cuda.Event(enable_timing=True)
            b = torch.cuda.Event(enable_timing=True)
            a.record()
            op()
            b.record()
            b.synchronize()
            ms.append(a.elapsed_time(b))
        return summary(ms)

    def graph_timed(op, n, per_graph=20):
        """op's GPU time alone: per_graph runs captured in one CUDA graph, each replay's time divided by
        per_graph, as the Java side times its read in a graph (the eager copy row includes a launch)."""
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):   # capture wants its warm-up off the default stream
            for _ in range(3):
                op()
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            for _ in range(per_graph):
                op()
        s = timed(graph.replay, n)
        return {k: (v / per_graph if k.endswith("_ms") else v) for k, v in s.items()}

    results = {}

    def put(key, s, nbytes):
        s["gbps"] = nbytes / (s["median_ms"] * 1e-3) / 1e9
        results[key] = s
        print("%-32s median %9.4f ms  %8.1f GB/s" % (key, s["median_ms"], s["gbps"]))

    from torch.nn.attention import SDPBackend, sdpa_kernel
    for (B, N, d) in SHAPES:
        tag = "%dx%dx%d" % (B, N, d)
        g = torch.Generator(device=dev).manual_seed(1)
        q = torch.rand(B, 1, 1, d, device=dev, generator=g) * 2 - 1
        k = torch.rand(B, 1, N, d, device=dev, generator=g) * 2 - 1
        v = torch.rand(B, 1, N, d, device=dev, generator=g) * 2 - 1
        kv_bytes = 2 * B * N * d * 4
        with torch.no_grad():
            put("sdpa_fp32/" + tag, timed(lambda: F.scaled_dot_product_attention(q, k, v), repeats), kv_bytes)
            q3, k3, v3 = q.view(B, 1, d), k.view(B, N, d), v.view(B, N, d)
            scale = 1.0 / math.sqrt(d)

            def bmm():
                a = torch.softmax(torch.bmm(q3, k3.transpose(1, 2)) * scale, dim=-1)
                return torch.bmm(a, v3)
            put("bmm_fp32/" + tag, timed(bmm, repeats), kv_bytes)
            qb, kb, vb = q.bfloat16(), k.bfloat16(), v.bfloat16()
            try:
                with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
                    put("flash_bf16/" + tag,
                        timed(lambda: F.scaled_dot_product_attention(qb, kb, vb), repeats), kv_bytes // 2)
            except RuntimeError as e:
                print("flash_bf16/%s unavailable: %s" % (tag, e))
            src = torch.empty(2 * B * N * d, device=dev)
            dst = torch.empty_like(src)
            put("copy/" + tag, timed(lambda: dst.copy_(src), repeats), 2 * kv_bytes)
            put("copy_graph/" + tag, graph_timed(lambda: dst.copy_(src), repeats), 2 * kv_bytes)
        del q, k, v, src, dst
        torch.cuda.empty_cache()

    # The fused small-M whole-sequence read, as a PyTorch loop of the same math.
    T, B, M, d = SEQ["T"], SEQ["B"], SEQ["M"], SEQ["d"]
    g = torch.Generator(device=dev).manual_seed(2)
    hist = (torch.rand(T + M, B, 3 * d, device=dev, generator=g) * 2 - 1)
    hist[:M] = 0  # the empty slots before the first step: score 0, value 0

    def seq():
        h = hist.detach().requires_grad_(True)
        total = 0
        for t in range(T):
            r = t + M
            q = h[r, :, :d].unsqueeze(1)                       # [B, 1, d]
            keys = h[r - M:r, :, d:2 * d].transpose(0, 1)      # [B, M, d]
            values = h[r - M:r, :, 2 * d:].transpose(0, 1)
            a = torch.softmax(torch.bmm(q, keys.transpose(1, 2)), dim=-1)  # scale 1, as MemNet
            total = total + torch.bmm(a, values).sum()
        total.backward()
    put("seq_loop_fwd_bwd/T%dxB%dxM%dxd%d" % (T, B, M, d), timed(seq, max(5, repeats // 5)), 0)

    # The whole cell, as a PyTorch loop (memnet.md; the FIFO shifts, which the order-free read allows).
    S = 3 * d
    for T, M in CELLS:
        torch.manual_seed(3)
        W = torch.nn.Linear(1 + S + d, S).to(dev)
        Ws = torch.nn.Linear(S, 1).to(dev)
        Wc = torch.nn.Linear(d, 1).to(dev)
        h0 = torch.nn.Parameter(0.1 * torch.randn(S, device=dev))
        c0 = torch.nn.Parameter(0.1 * torch.randn(d, device=dev))
        xs = torch.rand(T, B, 1, device=dev, generator=g) * 2 - 1
        n_params = sum(p.numel() for p in [*W.parameters(), *Ws.parameters(), *Wc.parameters(), h0, c0])
        assert n_params == 12738, n_params

        def cell():
            h, c = h0.expand(B, S), c0.expand(B, d)
            keys = torch.zeros(B, M, d, device=dev)
            values = torch.zeros(B, M, d, device=dev)
            ys = []
            for t in range(T):
                u = torch.cat([xs[t], F.dropout(F.relu(h), 0.1, training=True), c], dim=-1)
                h = W(u)
                q, k, v = h.split([d, d, d], dim=-1)
                a = torch.softmax(torch.bmm(keys, q.unsqueeze(2)).squeeze(2), dim=-1)  # scale 1, as MemNet
                c = torch.bmm(a.unsqueeze(1), values).squeeze(1)
                keys = torch.cat([keys[:, 1:], k.unsqueeze(1)], dim=1)
                values = torch.cat([values[:, 1:], v.unsqueeze(1)], dim=1)
                ys.append(Ws(h) + Wc(c))
            torch.stack(ys).sum().backward()
        put("cell_loop_fwd_bwd/T%dxB%dxM%dxd%dxin1" % (T, B, M, d), timed(cell, max(5, repeats // 5)), 0)

    write(out, {"available": True, "reason": "",
                "info": {"version": torch.__version__, "device": torch.cuda.get_device_name(dev)},
                "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
