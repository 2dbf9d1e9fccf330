#!/usr/bin/env python3
"""Reference values from numpy/LAPACK, NLTK and SciPy for dev.mnemo.bench.reference.ReferenceCrossCheck.

Two steps around the Java check (docs/results/reference-crosscheck/README.md):

  /usr/bin/python3 bench/torch/refcheck.py gen OUT_DIR      # writes OUT_DIR/manifest.json + raw float64 files
  java ... dev.mnemo.bench.reference.ReferenceCrossCheck OUT_DIR   # eigen, SVD, LSTM spectra, BLEU; writes OUT_DIR/chaos/
  /usr/bin/python3 bench/torch/refcheck.py chaos OUT_DIR    # Mackey-Glass / Lorenz against SciPy

gen writes
  eigen cases: in.a [n, n] (row-major), ref.re / ref.im (numpy.linalg.eig, LAPACK dgeev), ref.vre / ref.vim
    ([n, n], column j for eigenvalue j, as numpy returns them), exact.re / exact.im where the spectrum is
    known by construction, and "np_residual" = max_j ‖A v_j − λ_j v_j‖ / ‖A‖_F for numpy's pairs.
  svd cases: in.a, ref.s (numpy.linalg.svd, descending).
  lstm case: param.<PyTorch state_dict name> of a 2-layer bidirectional LSTM and, per gate block
    (i, f, g, o of every weight_hh), ref.<param>.<gate>.re / .im / .s.
  bleu cases: "cand" / "ref" token lists per sentence and nltk's corpus_bleu (weights 0.25 x 4, no
    smoothing) with its modified precisions, brevity penalty and lengths.
chaos reads OUT_DIR/chaos/*.f64 written by the Java check (the Mnemo series and their initial
conditions) and prints agreement tables.
"""
import json
import math
import os
import sys
import warnings

import numpy as np


class Writer:
    def __init__(self, root):
        self.root = root
        os.makedirs(root, exist_ok=True)
        self.cases = []

    def case(self, name, group, options=None):
        c = {"name": name, "group": group, "options": options or {}, "tensors": {}}
        self.cases.append(c)
        return c

    def put(self, case, key, arr):
        arr = np.ascontiguousarray(np.asarray(arr, dtype="<f8"))
        rel = case["name"] + "." + key + ".f64"
        with open(os.path.join(self.root, rel), "wb") as f:
            f.write(arr.tobytes())
        case["tensors"][key] = {"file": rel, "shape": list(arr.shape)}

    def finish(self, extra):
        manifest = dict(extra)
        manifest["cases"] = self.cases
        with open(os.path.join(self.root, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=0)


# ---------------------------------------------------------------- eigenvalues

def orthogonal(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def well_conditioned(rng, n):
    """A random nonsymmetric similarity with condition number ≤ 10."""
    u, v = orthogonal(rng, n), orthogonal(rng, n)
    return u @ np.diag(np.linspace(1, 10, n)) @ v


def jordan(lam, k):
    j = np.diag(np.full(k, lam, dtype=float))
    j += np.diag(np.ones(k - 1), 1)
    return j


def eigen_cases(w, rng):
    cases = []  # (name, family, a, exact_re or None, exact_im)

    def add(family, a, exact=None):
        name = "eig_%s_%03d" % (family, sum(1 for c in cases if c[1] == family))
        cases.append((name, family, np.asarray(a, dtype=float), exact))

    for n in range(1, 65):
        for _ in range(3):
            add("gaussian", rng.standard_normal((n, n)) / math.sqrt(n))
    for n in [1, 2, 3, 4, 5, 8, 13, 16, 21, 32, 40, 48, 64] * 3:
        add("orthogonal", orthogonal(rng, n))
    for n in [1, 2, 3, 5, 8, 12, 16, 24, 32, 48, 64] * 3:
        g = rng.standard_normal((n, n))
        add("symmetric", (g + g.T) / 2)
    # Jordan / defective: exact block (upper triangular), and hidden by a similarity
    for k in [2, 3, 4, 6, 8]:
        for lam in [0.0, 0.5, -1.0]:
            add("jordan", jordan(lam, k), np.full(k, lam) + 0j)
    for k in [2, 3, 4]:
        for rep in range(6):
            blocks = [jordan(rng.uniform(-1, 1), k), np.diag(rng.uniform(-2, 2, 3))]
            j = np.zeros((k + 3, k + 3))
            j[:k, :k] = blocks[0]
            j[k:, k:] = blocks[1]
            s = well_conditioned(rng, k + 3)
            ex = np.concatenate([np.full(k, j[0, 0]), np.diag(blocks[1])]) + 0j
            add("jordan", s @ j @ np.linalg.inv(s), ex)
    # clustered and repeated eigenvalues
    for n in [4, 8, 16, 32]:
        for spread in [1e-4, 1e-8, 1e-12]:
            lam = 1.0 + spread * rng.standard_normal(n)
            q = orthogonal(rng, n)
            add("clustered", q @ np.diag(lam) @ q.T, lam + 0j)
            s = well_conditioned(rng, n)
            add("clustered", s @ np.diag(lam) @ np.linalg.inv(s), lam + 0j)
    for n in [3, 6, 10, 20, 40]:
        for reps in [2, n]:
            vals = np.repeat(rng.uniform(-1, 1, max(1, n // reps)), reps)[:n]
            vals = np.concatenate([vals, rng.uniform(-1, 1, n - len(vals))])
            add("repeated", np.diag(vals), vals + 0j)
            s = well_conditioned(rng, n)
            add("repeated", s @ np.diag(vals) @ np.linalg.inv(s), vals + 0j)
            q = orthogonal(rng, n)
            add("repeated", q @ np.diag(vals) @ q.T, vals + 0j)
    # companion matrices of polynomials with known roots (conjugate pairs and reals in the unit disk)
    for n in [2, 3, 4, 6, 8, 10, 12, 16, 20]:
        for _ in range(3):
            npair = rng.integers(0, n // 2 + 1)
            z = rng.uniform(0.2, 1.0, npair) * np.exp(1j * rng.uniform(0.1, 3.0, npair))
            roots = np.concatenate([z, z.conj(), rng.uniform(-1, 1, n - 2 * npair)])
            c = np.real(np.poly(roots))
            comp = np.zeros((n, n))
            comp[0, :] = -c[1:]
            comp[1:, :-1] += np.eye(n - 1)
            add("companion", comp, roots)
    # scales near the ends of float64
    for scale, fam in [(1e200, "huge"), (1e-200, "tiny"), (1e150, "huge"), (1e-150, "tiny")]:
        for n in [1, 2, 3, 5, 8, 16, 32, 64]:
            g = rng.standard_normal((n, n)) / math.sqrt(n)
            add(fam, g * scale)
            h = rng.standard_normal((n, n))
            add(fam, (h + h.T) / 2 * scale)
    # nearly singular: one (or several) singular values tiny
    for n in [2, 4, 8, 16, 32, 64]:
        for sig in [1e-8, 1e-14, 0.0]:
            u, v = orthogonal(rng, n), orthogonal(rng, n)
            s = rng.uniform(0.5, 2, n)
            s[-1] = sig
            add("near_singular", u @ np.diag(s) @ v.T)
        add("near_singular", np.outer(rng.standard_normal(n), rng.standard_normal(n)))  # rank 1
    # special matrices with exact spectra
    for n in [1, 2, 5, 17]:
        add("special", np.zeros((n, n)), np.zeros(n) + 0j)
        add("special", np.eye(n), np.ones(n) + 0j)
        p = np.roll(np.eye(n), 1, axis=0)  # cyclic permutation: n-th roots of unity
        add("special", p, np.exp(2j * np.pi * np.arange(n) / n))
        add("special", np.triu(rng.standard_normal((n, n))), None)
    for th in [0.0, 1e-9, 0.3, math.pi / 2, math.pi]:
        c, s = math.cos(th), math.sin(th)
        add("special", [[c, -s], [s, c]], np.array([complex(c, s), complex(c, -s)]))

    for name, family, a, exact in cases:
        n = a.shape[0]
        lam, v = np.linalg.eig(a)
        fro = np.linalg.norm(a)
        if fro > 0 and np.isfinite(fro):
            res = max(np.linalg.norm(a @ v[:, j] - lam[j] * v[:, j]) / np.linalg.norm(v[:, j]) for j in range(n)) / fro
        elif fro == 0:
            res = max(np.linalg.norm(a @ v[:, j] - lam[j] * v[:, j]) for j in range(n))
        else:  # ‖A‖_F overflows (1e200 scale): scale first
            sc = np.abs(a).max()
            res = max(np.linalg.norm((a / sc) @ v[:, j] - (lam[j] / sc) * v[:, j]) / np.linalg.norm(v[:, j])
                      for j in range(n)) / np.linalg.norm(a / sc)
        c = w.case(name, "eigen", {"family": family, "n": n, "np_residual": float(res)})
        w.put(c, "in.a", a)
        w.put(c, "ref.re", lam.real)
        w.put(c, "ref.im", lam.imag)
        w.put(c, "ref.vre", v.real)
        w.put(c, "ref.vim", v.imag)
        if exact is not None:
            w.put(c, "exact.re", np.real(exact))
            w.put(c, "exact.im", np.imag(exact))
    return len(cases)


def svd_cases(w, rng):
    k = 0
    for n in [1, 2, 3, 8, 16, 32, 64]:
        for scale in [1.0, 1e-3, 1e3]:
            a = rng.standard_normal((n, n)) * scale
            c = w.case("svd_%02d" % k, "svd", {"n": n})
            w.put(c, "in.a", a)
            w.put(c, "ref.s", np.linalg.svd(a, compute_uv=False))
            k += 1
    return k


def lstm_case(w, rng):
    i_size, h, layers = 5, 16, 2
    c = w.case("lstm_spectra", "lstm", {"inputSize": i_size, "hiddenSize": h, "numLayers": layers,
                                        "bidirectional": True})
    gates = ["i", "f", "g", "o"]  # PyTorch's row order of weight_ih / weight_hh
    blocks = 0
    for layer in range(layers):
        for sfx in ["", "_reverse"]:
            inp = i_size if layer == 0 else 2 * h
            s = "_l%d%s" % (layer, sfx)
            wih = rng.uniform(-1, 1, (4 * h, inp)) / math.sqrt(h)
            whh = rng.standard_normal((4 * h, h)) * 1.3 / math.sqrt(h)
            whh[h:2 * h] = orthogonal(rng, h) * 0.97  # forget block: all |λ| = 0.97
            w.put(c, "param.weight_ih" + s, wih)
            w.put(c, "param.weight_hh" + s, whh)
            w.put(c, "param.bias_ih" + s, rng.uniform(-0.2, 0.2, 4 * h))
            w.put(c, "param.bias_hh" + s, rng.uniform(-0.2, 0.2, 4 * h))
            for g, gate in enumerate(gates):
                blk = whh[g * h:(g + 1) * h]
                lam = np.linalg.eigvals(blk)
                key = "ref.weight_hh%s.%s" % (s, gate)
                w.put(c, key + ".re", lam.real)
                w.put(c, key + ".im", lam.imag)
                w.put(c, key + ".s", np.linalg.svd(blk, compute_uv=False))
                blocks += 1
    return blocks


# ---------------------------------------------------------------- BLEU

def ngram_counts(tokens, n):
    out = {}
    for i in range(len(tokens) - n + 1):
        g = tuple(tokens[i:i + n])
        out[g] = out.get(g, 0) + 1
    return out


def bleu_cases(rng):
    from nltk.translate.bleu_score import corpus_bleu, modified_precision, closest_ref_length, brevity_penalty

    vocab = ["the", "a", "cat", "dog", "sat", "on", "mat", ".", "red", "big", "ran", "to", "house", "and", ",", "is"]

    def sentence(lo, hi):
        return [str(vocab[i]) for i in rng.integers(0, len(vocab), int(rng.integers(lo, hi + 1)))]

    def noisy(ref):
        """A hypothesis: the reference with some tokens replaced, dropped or added."""
        out = []
        for t in ref:
            r = rng.random()
            if r < 0.15:
                continue
            out.append(str(vocab[rng.integers(len(vocab))]) if r < 0.3 else t)
            if rng.random() < 0.08:
                out.append(str(vocab[rng.integers(len(vocab))]))
        return out

    pairs = []
    for k in range(200):
        ref = sentence(1, 18)
        kind = k % 10
        if kind == 0:
            hyp = []                                   # empty hypothesis
        elif kind == 1:
            hyp = ref[:int(rng.integers(1, 4))]        # short: brevity penalty, few n-grams
        elif kind == 2:
            hyp = list(ref)                            # exact
        elif kind == 3:
            hyp = ref[::-1]                            # reversed: unigrams match, few 4-grams
        elif kind == 4:
            hyp = sentence(1, 18)                      # unrelated
        else:
            hyp = noisy(ref)
        pairs.append((hyp, ref))

    corpora = []
    for k in range(200):
        corpora.append(("sent_%03d" % k, [pairs[k]]))              # every pair alone (sentence BLEU)
    for k in range(60):
        size = int(rng.integers(2, 12))
        idx = rng.choice(len(pairs), size, replace=False)
        corpora.append(("corpus_%02d" % k, [pairs[i] for i in idx]))
    corpora.append(("all_200", pairs))
    corpora.append(("all_empty_hyps", [([], p[1]) for p in pairs[:5]]))
    corpora.append(("zero_4gram", [(["a", "b", "c", "d", "e"], ["a", "b", "c", "x", "d", "e"]),
                                   (["p", "q"], ["p", "q", "r"])]))
    corpora.append(("hyp_longer", [(["the", "cat", "sat", "on", "the", "mat", "today", "."],
                                    ["the", "cat", "sat", "on", "the", "mat", "."])]))
    corpora.append(("equal_length", [(["the", "cat", "sat", "on", "the", "mat"],
                                      ["the", "cat", "sat", "on", "a", "mat"])]))
    corpora.append(("clipping", [(["the", "the", "the", "the", "the", "the", "the"],
                                  ["the", "cat", "is", "on", "the", "mat", "."])]))

    out = []
    for name, corpus in corpora:
        hyps = [p[0] for p in corpus]
        refs = [[p[1]] for p in corpus]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            score = corpus_bleu(refs, hyps, weights=(0.25, 0.25, 0.25, 0.25))
        num = [0] * 4
        den = [0] * 4
        for h, r in zip(hyps, refs):
            for n in range(1, 5):
                p = modified_precision(r, h, n)
                num[n - 1] += p.numerator
                den[n - 1] += p.denominator
        # multi-bleu.perl's arithmetic, re-implemented here: Σ clipped matches / Σ max(0, len − n + 1)
        mb_num = [0] * 4
        mb_den = [0] * 4
        for h, r in zip(hyps, refs):
            for n in range(1, 5):
                hc = ngram_counts(h, n)
                rc = ngram_counts(r[0], n)
                mb_num[n - 1] += sum(min(v, rc.get(g, 0)) for g, v in hc.items())
                mb_den[n - 1] += max(0, len(h) - n + 1)
        c = sum(len(h) for h in hyps)
        r = sum(closest_ref_length(rr, len(h)) for h, rr in zip(hyps, refs))
        rr = sum(len(x[0]) for x in refs)
        if any(m == 0 for m in mb_num) or c == 0:
            mb = 0.0
        else:
            bp = 1.0 if c >= rr else math.exp(1 - rr / c)
            mb = bp * math.exp(sum(math.log(mb_num[k] / mb_den[k]) for k in range(4)) / 4)
        out.append({"name": name, "cand": hyps, "ref": [x[0] for x in refs], "nltk_bleu": float(score),
                    "nltk_matches": num, "nltk_totals": den, "c": c, "r": r,
                    "nltk_bp": float(brevity_penalty(r, c)), "mb_bleu": mb, "mb_matches": mb_num,
                    "mb_totals": mb_den})
    return out


# ---------------------------------------------------------------- chaos (after the Java run)

def read(path):
    return np.fromfile(path, dtype="<f8")


def mg_rk4(ring, steps, dt, a=0.2, b=0.1):
    """Mnemo's scheme re-implemented independently: RK4, x(t − τ + dt/2) linearly interpolated."""
    d = len(ring) - 1
    x = np.empty(d + 1 + steps)
    x[:d + 1] = ring
    for k in range(steps):
        i = d + k
        xc, l0, l1 = x[i], x[i - d], x[i - d + 1]
        lh = 0.5 * (l0 + l1)
        f = lambda xx, ll: a * ll / (1 + ll ** 10) - b * xx
        k1 = f(xc, l0)
        k2 = f(xc + 0.5 * dt * k1, lh)
        k3 = f(xc + 0.5 * dt * k2, lh)
        k4 = f(xc + dt * k3, l1)
        x[i + 1] = xc + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x[d:]  # x(0), x(dt), ...


def mg_scipy(ring, tau, dt, t_end, a=0.2, b=0.1, rtol=1e-11):
    """Method of steps with solve_ivp (DOP853): the history is the linear interpolant of the seeded
    points x(−τ + i·dt); each segment [kτ, (k+1)τ] takes its lag from the previous segment's dense output."""
    from scipy.integrate import solve_ivp
    d = len(ring) - 1
    th = -tau + dt * np.arange(d + 1)
    segs = []

    def lag(t):
        s = t - tau
        if s <= 0:
            return np.interp(s, th, ring)
        k = min(int(s // tau), len(segs) - 1)
        while k > 0 and s < segs[k].t_min:
            k -= 1
        return segs[k](s)[0]

    x0 = ring[-1]
    t0 = 0.0
    while t0 < t_end - 1e-12:
        t1 = min(t0 + tau, t_end)
        sol = solve_ivp(lambda t, y: [a * lag(t) / (1 + lag(t) ** 10) - b * y[0]], (t0, t1), [x0],
                        method="DOP853", rtol=rtol, atol=rtol, dense_output=True, max_step=dt)
        segs.append(sol.sol)
        x0 = sol.y[0, -1]
        t0 = t1

    def value(t):
        for s in segs:
            if s.t_min - 1e-12 <= t <= s.t_max + 1e-12:
                return s(t)[0]
        raise ValueError(t)
    return value


def lorenz_rk4(s0, steps, dt, sigma=10.0, rho=28.0, beta=8.0 / 3.0):
    def f(s):
        return np.array([sigma * (s[1] - s[0]), s[0] * (rho - s[2]) - s[1], s[0] * s[1] - beta * s[2]])
    out = np.empty((steps + 1, 3))
    s = np.array(s0, dtype=float)
    out[0] = s
    for k in range(steps):
        k1 = f(s)
        k2 = f(s + 0.5 * dt * k1)
        k3 = f(s + 0.5 * dt * k2)
        k4 = f(s + dt * k3)
        s = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out[k + 1] = s
    return out


def first_over(err, thr):
    idx = np.nonzero(err > thr)[0]
    return int(idx[0]) if len(idx) else None


def chaos(root):
    import scipy
    from scipy.integrate import solve_ivp
    d = os.path.join(root, "chaos")
    meta = json.load(open(os.path.join(d, "meta.json")))
    print("scipy %s, numpy %s" % (scipy.__version__, np.__version__))
    print("| series | samples | vs the same scheme in numpy: max abs. difference (first 200 / all) |"
          " vs SciPy DOP853 (MG rtol 1e-11, Lorenz 1e-13): difference / std at samples 10, 50, 100, 200 |"
          " first sample with difference / std > 1e-3 / > 0.1 |"
          " first sample where the SciPy reference and SciPy at 100× looser rtol differ by > 1e-3 std |")
    print("|---|---|---|---|---|---|")
    for s in meta["series"]:
        m = read(os.path.join(d, s["file"]))
        if s["kind"] == "mackey":
            ring = read(os.path.join(d, s["history"]))
            dt, every, n = s["dt"], int(round(s["sampleEvery"] / s["dt"])), s["n"]
            steps = (n - 1) * every
            mine = mg_rk4(ring, steps, dt)[::every]
            ref_f = mg_scipy(ring, s["tau"], dt, (n - 1) * s["sampleEvery"])
            ref = np.array([ref_f(k * s["sampleEvery"]) for k in range(n)])
            loose_f = mg_scipy(ring, s["tau"], dt, (n - 1) * s["sampleEvery"], rtol=1e-9)
            loose = np.array([loose_f(k * s["sampleEvery"]) for k in range(n)])
            mm = m
        else:
            s0 = read(os.path.join(d, s["initial"]))
            dt, every, n = s["dt"], int(round(s["sampleEvery"] / s["dt"])), s["n"]
            mine = lorenz_rk4(s0, (n - 1) * every, dt)[::every]
            te = np.arange(n) * s["sampleEvery"]
            sol = solve_ivp(lambda t, y: [10 * (y[1] - y[0]), y[0] * (28 - y[2]) - y[1], y[0] * y[1] - 8 / 3 * y[2]],
                            (0, te[-1]), s0, method="DOP853", rtol=1e-13, atol=1e-13, t_eval=te)
            ref = sol.y.T
            sol2 = solve_ivp(lambda t, y: [10 * (y[1] - y[0]), y[0] * (28 - y[2]) - y[1], y[0] * y[1] - 8 / 3 * y[2]],
                             (0, te[-1]), s0, method="DOP853", rtol=1e-11, atol=1e-11, t_eval=te)
            loose = sol2.y.T
            mm = m.reshape(n, 3)
        std = np.std(ref, axis=0) if ref.ndim > 1 else np.std(ref)
        same = np.abs(mm - mine)
        same = same.max(axis=1) if same.ndim > 1 else same
        rel = np.abs(mm - ref) / std
        rel = rel.max(axis=1) if rel.ndim > 1 else rel
        self_err = np.abs(ref - loose) / std
        self_err = self_err.max(axis=1) if self_err.ndim > 1 else self_err
        at = ", ".join("%.1e" % rel[k] if k < n else "-" for k in [10, 50, 100, 200])
        print("| %s | %d | %.1e / %.1e | %s | %s / %s | %s |" % (
            s["label"], n, same[:200].max(), same.max(), at, first_over(rel, 1e-3), first_over(rel, 0.1),
            first_over(self_err, 1e-3)))


def gen(root):
    rng = np.random.default_rng(20261128)
    w = Writer(root)
    ne = eigen_cases(w, rng)
    ns = svd_cases(w, rng)
    nb = lstm_case(w, rng)
    bleu = bleu_cases(rng)
    import nltk
    w.finish({"numpy_version": np.__version__, "nltk_version": nltk.__version__, "bleu": bleu})
    print("wrote %d eigen cases, %d svd cases, %d LSTM gate blocks, %d BLEU corpora to %s"
          % (ne, ns, nb, len(bleu), root))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("gen", "chaos"):
        sys.exit("usage: refcheck.py gen|chaos OUT_DIR")
    (gen if sys.argv[1] == "gen" else chaos)(sys.argv[2])
