#!/usr/bin/env python3
"""Writes PyTorch's float64 reference values for dev.mnemo.bench.torch.TorchCrossCheck.

For each case it builds the PyTorch module (or optimizer, scheduler, loss) in float64 from a fixed
seed and writes, into OUT_DIR, every tensor as raw little-endian float64 (C order) plus one
manifest.json naming each tensor's file and shape and the case's options:

  recurrent cases (nn.RNN / nn.LSTM / nn.GRU, dropout 0):
    param.<state_dict name>       the module's weights
    in.x, in.h0, in.c0            input and given initial state (h0/c0 only when the case gives them)
    in.dout, in.dhn, in.dcn       dL/d output, dL/d h_n, dL/d c_n  (L = Σ out·dout + Σ h_n·dhn + Σ c_n·dcn)
    out.output, out.h_n, out.c_n  PyTorch's forward
    grad.x, grad.h0, grad.c0      dL/d input and initial state (zeros initial state when not given)
    grad.param.<name>             dL/d every parameter
  packed cases add "lengths": pack_padded_sequence(x, lengths, enforce_sorted=False), the module,
  pad_packed_sequence(total_length=T), which Mnemo's forward(x, state, lengths) replaces.

  optimizer cases: in.p0 [N], in.grads [S, N] (the gradient given before step s), out.params [S, N]
  (the parameters after each step); "lrs" when a scheduler runs after every step.
  scheduler cases: out.lrs [E+1] (get_last_lr() at construction and after each of E steps).
  loss cases: in.input, in.target (MSE) or "targets" (cross entropy), out.loss [1], grad.input;
    cross_entropy_last_step cases score each sequence's last step (lengths[b] - 1) only.
  clip cases: in.ga, in.gb (two gradients), out.norm [1], out.ga, out.gb after clip_grad_norm_.
  linear cases: param.weight (param.bias), in.x, in.dout, out.output, grad.x, grad.param.<name>.

Usage:  /usr/bin/python3 bench/torch/crosscheck.py OUT_DIR
"""
import json
import os
import sys

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_default_dtype(torch.float64)
DT = torch.float64


class Writer:
    def __init__(self, root):
        self.root = root
        os.makedirs(root, exist_ok=True)
        self.cases = []

    def case(self, name, group, options):
        c = {"name": name, "group": group, "options": options, "tensors": {}}
        self.cases.append(c)
        os.makedirs(os.path.join(self.root, name), exist_ok=True)
        return c

    def put(self, case, key, t):
        t = t.detach().to(DT).contiguous().cpu()
        rel = os.path.join(case["name"], key + ".f64")
        data = t.numpy().astype("<f8").tobytes()  # little-endian whatever the machine
        with open(os.path.join(self.root, rel), "wb") as f:
            f.write(data)
        case["tensors"][key] = {"file": rel, "shape": list(t.shape)}

    def finish(self):
        manifest = {"torch_version": torch.__version__, "dtype": "float64", "cases": self.cases}
        with open(os.path.join(self.root, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)


# ---- recurrent layers ----

RECURRENT = [
    # name, kind, dict(options)
    ("rnn_tanh", "rnn", dict(I=3, H=4, T=5, B=2)),
    ("rnn_relu", "rnn", dict(I=3, H=4, T=5, B=2, nonlinearity="relu")),
    ("rnn_tanh_2l_bidir_h0", "rnn", dict(I=3, H=4, T=5, B=3, layers=2, bidir=True, h0=True)),
    ("rnn_relu_2l_nobias_bf", "rnn", dict(I=2, H=5, T=4, B=3, layers=2, nonlinearity="relu", bias=False,
                                          batch_first=True, h0=True)),
    ("lstm", "lstm", dict(I=3, H=4, T=5, B=2)),
    ("lstm_2l_bidir_h0", "lstm", dict(I=3, H=4, T=6, B=3, layers=2, bidir=True, h0=True)),
    ("lstm_nobias_bf", "lstm", dict(I=4, H=3, T=5, B=2, bias=False, batch_first=True, h0=True)),
    ("lstm_proj", "lstm", dict(I=3, H=5, T=4, B=2, proj=3)),
    ("lstm_proj_2l_bidir_h0_bf", "lstm", dict(I=3, H=6, T=5, B=3, layers=2, bidir=True, proj=2, h0=True,
                                              batch_first=True)),
    ("gru", "gru", dict(I=3, H=4, T=5, B=2)),
    ("gru_2l_bidir_h0", "gru", dict(I=3, H=4, T=6, B=3, layers=2, bidir=True, h0=True)),
    ("gru_nobias_bf", "gru", dict(I=4, H=3, T=5, B=2, bias=False, batch_first=True, h0=True)),
    # packed (variable lengths, any order)
    ("packed_rnn_tanh_bidir", "rnn", dict(I=3, H=4, T=5, B=4, bidir=True, lengths=[3, 5, 1, 4])),
    ("packed_rnn_relu_2l_h0_bf", "rnn", dict(I=3, H=4, T=5, B=3, layers=2, nonlinearity="relu", h0=True,
                                             batch_first=True, lengths=[2, 5, 3])),
    ("packed_lstm_2l_bidir_h0", "lstm", dict(I=3, H=4, T=6, B=4, layers=2, bidir=True, h0=True,
                                             lengths=[4, 6, 2, 6])),
    ("packed_lstm_bf_shortmax", "lstm", dict(I=3, H=4, T=6, B=3, batch_first=True, lengths=[3, 1, 4])),
    ("packed_lstm_proj_bidir_h0", "lstm", dict(I=3, H=5, T=5, B=3, bidir=True, proj=2, h0=True,
                                               lengths=[5, 2, 3])),
    ("packed_gru_2l_bidir_h0_bf", "gru", dict(I=3, H=4, T=5, B=4, layers=2, bidir=True, h0=True, batch_first=True,
                                              lengths=[1, 5, 3, 4])),
]


def recurrent_case(w, seed, name, kind, o):
    torch.manual_seed(1000 + seed)
    I, H, T, B = o["I"], o["H"], o["T"], o["B"]
    layers = o.get("layers", 1)
    bidir = o.get("bidir", False)
    bias = o.get("bias", True)
    bf = o.get("batch_first", False)
    proj = o.get("proj", 0)
    D = 2 if bidir else 1
    common = dict(num_layers=layers, bias=bias, batch_first=bf, dropout=0.0, bidirectional=bidir, dtype=DT)
    if kind == "rnn":
        m = nn.RNN(I, H, nonlinearity=o.get("nonlinearity", "tanh"), **common)
    elif kind == "lstm":
        m = nn.LSTM(I, H, proj_size=proj, **common)
    else:
        m = nn.GRU(I, H, **common)
    # spread the weights a little wider than U(±1/√H) so the gates leave their linear range
    with torch.no_grad():
        for p in m.parameters():
            p.mul_(1.5)
    P = proj if proj > 0 else H
    x = torch.randn(*((B, T, I) if bf else (T, B, I)), dtype=DT, requires_grad=True)
    h0 = torch.randn(layers * D, B, P, dtype=DT, requires_grad=True) if o.get("h0") else \
        torch.zeros(layers * D, B, P, dtype=DT, requires_grad=True)
    c0 = None
    if kind == "lstm":
        c0 = torch.randn(layers * D, B, H, dtype=DT, requires_grad=True) if o.get("h0") else \
            torch.zeros(layers * D, B, H, dtype=DT, requires_grad=True)
    state = (h0, c0) if kind == "lstm" else h0
    lengths = o.get("lengths")
    if lengths is None:
        out, hn = m(x, state)
    else:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=bf, enforce_sorted=False)
        pout, hn = m(packed, state)
        out, _ = pad_packed_sequence(pout, batch_first=bf, total_length=T)
    if kind == "lstm":
        hn, cn = hn
    else:
        cn = None
    dout = torch.randn_like(out)
    dhn = torch.randn_like(hn)
    loss = (out * dout).sum() + (hn * dhn).sum()
    dcn = None
    if cn is not None:
        dcn = torch.randn_like(cn)
        loss = loss + (cn * dcn).sum()
    params = list(m.named_parameters())
    wrt = [x, h0] + ([c0] if c0 is not None else []) + [p for _, p in params]
    grads = torch.autograd.grad(loss, wrt)

    opts = dict(kind=kind, inputSize=I, hiddenSize=H, numLayers=layers, bias=bias, batchFirst=bf,
                bidirectional=bidir, nonlinearity=o.get("nonlinearity", "tanh"), projSize=proj,
                givenState=bool(o.get("h0")), T=T, B=B)
    if lengths is not None:
        opts["lengths"] = lengths
    c = w.case(name, "recurrent", opts)
    for n, p in params:
        w.put(c, "param." + n, p)
    w.put(c, "in.x", x)
    if o.get("h0"):
        w.put(c, "in.h0", h0)
        if c0 is not None:
            w.put(c, "in.c0", c0)
    w.put(c, "in.dout", dout)
    w.put(c, "in.dhn", dhn)
    if dcn is not None:
        w.put(c, "in.dcn", dcn)
    w.put(c, "out.output", out)
    w.put(c, "out.h_n", hn)
    if cn is not None:
        w.put(c, "out.c_n", cn)
    w.put(c, "grad.x", grads[0])
    w.put(c, "grad.h0", grads[1])
    k = 2
    if c0 is not None:
        w.put(c, "grad.c0", grads[2])
        k = 3
    for (n, _), g in zip(params, grads[k:]):
        w.put(c, "grad.param." + n, g)


# ---- optimizers and schedulers ----

N_PARAM = 7
STEPS = 5

OPTIMIZERS = [
    # name, torch class, torch kwargs, options for Mnemo (same names as Mnemo's option builders)
    ("adam", "Adam", dict(lr=0.01)),
    ("adam_l2", "Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("adamw", "AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("adamw_defaults", "AdamW", dict(lr=0.001)),
    ("sgd", "SGD", dict(lr=0.1)),
    ("sgd_momentum_dampening_wd", "SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("sgd_nesterov_wd", "SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("rmsprop", "RMSprop", dict(lr=0.01)),
    ("rmsprop_centered", "RMSprop", dict(lr=0.01, alpha=0.9, centered=True)),
    ("rmsprop_centered_momentum_wd", "RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.8,
                                                     weight_decay=0.05)),
    ("rmsprop_momentum", "RMSprop", dict(lr=0.01, momentum=0.5, eps=1e-4)),
]


def optimizer_case(w, seed, name, cls, kw, schedule=None):
    torch.manual_seed(2000 + seed)
    p0 = torch.randn(N_PARAM, dtype=DT)
    grads = torch.randn(STEPS, N_PARAM, dtype=DT)
    grads[2, 3] = 0.0  # a zero gradient element
    p = nn.Parameter(p0.clone())
    opt = getattr(torch.optim, cls)([p], **kw)
    sched = None
    if schedule is not None:
        kind, skw = schedule
        sched = getattr(torch.optim.lr_scheduler, kind)(opt, **skw)
    after = []
    lrs = [opt.param_groups[0]["lr"]]
    for s in range(STEPS):
        p.grad = grads[s].clone()
        opt.step()
        after.append(p.detach().clone())
        if sched is not None:
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
    opts = dict(optimizer=cls, **{k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()})
    if schedule is not None:
        opts["schedule"] = schedule[0]
        opts["scheduleOptions"] = schedule[1]
    c = w.case(name, "optimizer", opts)
    w.put(c, "in.p0", p0)
    w.put(c, "in.grads", grads)
    w.put(c, "out.params", torch.stack(after))
    if sched is not None:
        w.put(c, "out.lrs", torch.tensor(lrs, dtype=DT))


SCHEDULERS = [
    ("cosine_tmax4", "CosineAnnealingLR", 0.1, dict(T_max=4), 12),
    ("cosine_tmax5_etamin", "CosineAnnealingLR", 0.1, dict(T_max=5, eta_min=0.001), 12),
    ("steplr_3_half", "StepLR", 0.1, dict(step_size=3, gamma=0.5), 10),
    ("steplr_1_default", "StepLR", 0.05, dict(step_size=1), 6),
]


def scheduler_case(w, name, kind, base, kw, epochs):
    p = nn.Parameter(torch.zeros(1, dtype=DT))
    opt = torch.optim.SGD([p], lr=base)
    sched = getattr(torch.optim.lr_scheduler, kind)(opt, **kw)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(epochs):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    c = w.case(name, "scheduler", dict(scheduler=kind, baseLr=base, epochs=epochs, **kw))
    w.put(c, "out.lrs", torch.tensor(lrs, dtype=DT))


# ---- losses ----

def loss_cases(w):
    torch.manual_seed(3000)
    for name, shape, scale in [("cross_entropy_6x4", (6, 4), 3.0), ("cross_entropy_large_logits", (5, 3), 300.0),
                               ("cross_entropy_3d_tbc", (3, 2, 5), 1.0)]:
        logits = (torch.randn(*shape, dtype=DT) * scale).requires_grad_(True)
        classes = shape[-1]
        rows = logits.numel() // classes
        targets = torch.randint(0, classes, (rows,))
        loss = nn.CrossEntropyLoss(reduction="mean")(logits.reshape(rows, classes), targets)
        (g,) = torch.autograd.grad(loss, [logits])
        c = w.case(name, "loss", dict(loss="cross_entropy", targets=targets.tolist()))
        w.put(c, "in.input", logits)
        w.put(c, "out.loss", loss.reshape(1))
        w.put(c, "grad.input", g)
    for name, shape in [("mse_3x4", (3, 4)), ("mse_2x3x2", (2, 3, 2))]:
        pred = torch.randn(*shape, dtype=DT, requires_grad=True)
        target = torch.randn(*shape, dtype=DT)
        loss = nn.MSELoss(reduction="mean")(pred, target)
        (g,) = torch.autograd.grad(loss, [pred])
        c = w.case(name, "loss", dict(loss="mse"))
        w.put(c, "in.input", pred)
        w.put(c, "in.target", target)
        w.put(c, "out.loss", loss.reshape(1))
        w.put(c, "grad.input", g)


def last_step_cases(w):
    """CrossEntropyLoss on each sequence's own last step (Mnemo's SoftmaxCrossEntropy.lastStep)."""
    torch.manual_seed(3100)
    for name, T, B, C, bf, lengths in [("cross_entropy_last_step", 4, 3, 5, False, None),
                                       ("cross_entropy_last_step_lengths", 5, 4, 3, False, [2, 5, 1, 4]),
                                       ("cross_entropy_last_step_lengths_bf", 5, 3, 4, True, [3, 1, 5])]:
        logits = torch.randn(*((B, T, C) if bf else (T, B, C)), dtype=DT, requires_grad=True)
        lens = lengths if lengths is not None else [T] * B
        last = torch.stack([logits[b, lens[b] - 1] if bf else logits[lens[b] - 1, b] for b in range(B)])
        targets = torch.randint(0, C, (B,))
        loss = nn.CrossEntropyLoss()(last, targets)
        (g,) = torch.autograd.grad(loss, [logits])
        opts = dict(loss="cross_entropy_last_step", targets=targets.tolist(), batchFirst=bf)
        if lengths is not None:
            opts["lengths"] = lengths
        c = w.case(name, "loss", opts)
        w.put(c, "in.input", logits)
        w.put(c, "out.loss", loss.reshape(1))
        w.put(c, "grad.input", g)


def clip_cases(w):
    """torch.nn.utils.clip_grad_norm_ over two gradient tensors (Mnemo's GradientClipping.clipGlobalNorm)."""
    torch.manual_seed(3200)
    for name, max_norm in [("clip_grad_norm_clipped", 0.5), ("clip_grad_norm_unclipped", 100.0)]:
        a = nn.Parameter(torch.zeros(3, 2, dtype=DT))
        b = nn.Parameter(torch.zeros(5, dtype=DT))
        a.grad = torch.randn(3, 2, dtype=DT)
        b.grad = torch.randn(5, dtype=DT)
        ga, gb = a.grad.clone(), b.grad.clone()
        norm = torch.nn.utils.clip_grad_norm_([a, b], max_norm)
        c = w.case(name, "clip", dict(maxNorm=max_norm))
        w.put(c, "in.ga", ga)
        w.put(c, "in.gb", gb)
        w.put(c, "out.norm", norm.reshape(1))
        w.put(c, "out.ga", a.grad)
        w.put(c, "out.gb", b.grad)


def linear_cases(w):
    """nn.Linear forward and backward (Mnemo's Linear), L = Σ y·dy."""
    torch.manual_seed(3300)
    for name, I, O, bias, xshape in [("linear", 4, 3, True, (5, 4)), ("linear_nobias_3d", 3, 6, False, (2, 4, 3))]:
        m = nn.Linear(I, O, bias=bias, dtype=DT)
        x = torch.randn(*xshape, dtype=DT, requires_grad=True)
        y = m(x)
        dy = torch.randn_like(y)
        params = list(m.named_parameters())
        grads = torch.autograd.grad((y * dy).sum(), [x] + [p for _, p in params])
        c = w.case(name, "linear", dict(inFeatures=I, outFeatures=O, bias=bias))
        for n, p in params:
            w.put(c, "param." + n, p)
        w.put(c, "in.x", x)
        w.put(c, "in.dout", dy)
        w.put(c, "out.output", y)
        w.put(c, "grad.x", grads[0])
        for (n, _), g in zip(params, grads[1:]):
            w.put(c, "grad.param." + n, g)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: crosscheck.py OUT_DIR")
    torch.use_deterministic_algorithms(True)
    w = Writer(sys.argv[1])
    for i, (name, kind, o) in enumerate(RECURRENT):
        recurrent_case(w, i, name, kind, o)
    for i, (name, cls, kw) in enumerate(OPTIMIZERS):
        optimizer_case(w, i, name, cls, kw)
    optimizer_case(w, 100, "adam_cosine", "Adam", dict(lr=0.1), ("CosineAnnealingLR", dict(T_max=3)))
    optimizer_case(w, 101, "sgd_momentum_steplr", "SGD", dict(lr=0.1, momentum=0.9),
                   ("StepLR", dict(step_size=2, gamma=0.5)))
    for name, kind, base, kw, epochs in SCHEDULERS:
        scheduler_case(w, name, kind, base, kw, epochs)
    loss_cases(w)
    last_step_cases(w)
    clip_cases(w)
    linear_cases(w)
    w.finish()
    print(f"torch {torch.__version__}: {len(w.cases)} cases written to {sys.argv[1]}")


if __name__ == "__main__":
    main()
