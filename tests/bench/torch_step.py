#!/usr/bin/env python3
"""The training step of `soupbench bench` in PyTorch (CPU, float64).

What a student would write instead of soupbench: the same MLP (tanh hidden
layers, linear head, logits / temperature), the same trainable parts (LoRA
merged as W + (alpha/r) B A, or every weight), the same losses (the exact
KL-regularised policy objective -J by backward induction over the tree, or
the soft-label DPO loss on the same pairs), gradients by autograd.

`soupbench bench` exports its inputs, weights, pairs, loss and gradient to
one file (read_export below); this script

  1. computes the loss and the gradient from the same inputs and compares
     them with soupbench's: it prints
        check LOSS_TORCH LOSS_REL_DIFF GRAD_REL_DIFF
     (relative differences: |dL| / |L| and max |dg| / max |g|), then
  2. times the step (forward over every state, loss, backward) the way
     soupbench times its own, and prints
        time MEDIAN MIN MAX
     in seconds per step: a repeat runs the step enough times to last at
     least --min-seconds; the median of --repeats repeats.

Without PyTorch it prints `unavailable REASON` and exits 3.

usage: torch_step.py EXPORT --threads N --repeats N [--min-seconds S]
"""
import argparse
import os
import struct
import sys
import time


def read_export(path):
    """Records: 16-byte name, int32 type (0 float64, 1 int32), int32 rank,
    int64 dims[rank], then the data (little-endian, row-major)."""
    import numpy as np

    out = {}
    with open(path, "rb") as f:
        if f.read(8) != b"SBBENCH1":
            raise ValueError(f"{path}: not a soupbench bench export")
        while True:
            head = f.read(24)
            if not head:
                break
            name = head[:16].rstrip(b"\0").decode()
            kind, rank = struct.unpack("<ii", head[16:24])
            dims = struct.unpack(f"<{rank}q", f.read(8 * rank)) if rank else ()
            dtype = np.float64 if kind == 0 else np.int32
            count = 1
            for d in dims:
                count *= d
            data = np.frombuffer(f.read(count * np.dtype(dtype).itemsize), dtype=dtype)
            out[name] = data.reshape(dims) if rank else data[0]
    return out


def build(e, torch):
    """The step as a closure returning (loss, grads), and the parameters."""
    F = torch.nn.functional
    t = lambda k: torch.from_numpy(e[k].copy())
    meta = e["meta"]  # layers, form (0 lora, 1 full), trainer (0 pg, 1 dpo), H, V, n_prompts
    L, form, trainer, H, V, n_prompts = (int(v) for v in meta)
    temperature, beta, scale = (float(v) for v in e["scalars"])
    x = t("inputs")
    W = [t(f"W{l}") for l in range(L)]
    b = [t(f"b{l}") for l in range(L)]
    W_out, b_out = t("W_out"), t("b_out")
    offset = t("logit_offset") if "logit_offset" in e else None
    if form == 0:
        A = [t(f"A{l}").requires_grad_() for l in range(L)]
        B = [t(f"B{l}").requires_grad_() for l in range(L)]
        params = [p for l in range(L) for p in (A[l], B[l])]
    else:
        for p in W + b + [W_out, b_out]:
            p.requires_grad_()
        params = [p for l in range(L) for p in (W[l], b[l])] + [W_out, b_out]

    def logits_of():
        h = x
        for l in range(L):
            Wl = W[l] + scale * (B[l] @ A[l]) if form == 0 else W[l]
            h = torch.tanh(torch.addmm(b[l], h, Wl.t()))
        z = torch.addmm(b_out, h, W_out.t()) / temperature
        return z + offset if offset is not None else z

    logref = F.log_softmax(t("ref_logits"), dim=1)  # fixed: computed once
    if trainer == 0:
        r, init = t("reward"), t("init")
        off = [int(v) for v in e["layer_offset"]]
        nxt = t("next_state").long()
        # next states of step t as indices into step t+1
        nxt_local = [nxt[off[s]:off[s + 1]] - off[s + 1] for s in range(H - 1)]

        def loss_of():
            logp = F.log_softmax(logits_of(), dim=1)
            pi = logp.exp()
            v_next = None
            for s in reversed(range(H)):
                sl = slice(off[s], off[s + 1])
                q = r[sl] - beta * (logp[sl] - logref[sl])
                if v_next is not None:
                    q = q + v_next[nxt_local[s]]
                v_next = (pi[sl] * q).sum(dim=1)
            return -(init * v_next[:n_prompts]).sum()
    else:
        s_idx, a_idx, y = t("pair_s").long(), t("pair_a").long(), t("pair_y")
        flat = s_idx * V + a_idx  # [n, 2H]
        ref_margin = logref.reshape(-1)[flat]
        sign = torch.cat([torch.ones(H), -torch.ones(H)]).double()

        def loss_of():
            logp = F.log_softmax(logits_of(), dim=1).reshape(-1)
            margin = ((logp[flat] - ref_margin) * sign).sum(dim=1)
            z = beta * margin
            return (y * F.softplus(-z) + (1 - y) * F.softplus(z)).mean()

    def step():
        loss = loss_of()
        grads = torch.autograd.grad(loss, params)
        return loss, grads

    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--min-seconds", type=float, default=0.02)
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    try:
        import numpy  # noqa: F401
        import torch
    except Exception as exc:  # any import failure is a reason to print
        print(f"unavailable {sys.executable} cannot import torch ({type(exc).__name__}: {exc})")
        return 3
    torch.set_num_threads(args.threads)
    e = read_export(args.export)
    step = build(e, torch)

    loss, grads = step()
    g = torch.cat([gr.reshape(-1) for gr in grads]).detach().numpy()
    g_c, loss_c = e["grad"], float(e["loss"])
    loss_t = float(loss)
    gscale = max(float(abs(g_c).max()), 1e-300)
    grad_rel = float(abs(g - g_c).max()) / gscale if g.shape == g_c.shape else float("inf")
    loss_rel = abs(loss_t - loss_c) / max(abs(loss_c), 1e-300)
    print(f"check {loss_t:.17g} {loss_rel:.3e} {grad_rel:.3e}", flush=True)

    def seconds_per_call(inner):
        start = time.perf_counter()
        for _ in range(inner):
            step()
        return (time.perf_counter() - start) / inner

    inner = 1
    s = seconds_per_call(inner)
    while s * inner < args.min_seconds:
        inner *= 2
        s = seconds_per_call(inner)
    times = sorted(seconds_per_call(inner) for _ in range(args.repeats))
    n = len(times)
    median = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    print(f"time {median:.6e} {times[0]:.6e} {times[-1]:.6e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
