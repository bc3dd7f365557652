"""The reference peer of `stylealign bench --peer rosinality=DIR`: runs rosinality/stylegan2-pytorch's own model code
(from the checkout DIR, never copied into this project) on the CPU and reports its timings as one JSON line.

  make    --repo DIR --size 256 --channel-multiplier 1 --seed 1 --out G.pt
          a randomly initialised generator (the reference's own initialisation) saved as rosinality saves one
  render  --repo DIR --checkpoint G.pt --z z.npy --batch 8 --out x.npy
          images from z with the stored noise (randomize_noise=False), under torch.no_grad(), in batches
  train   --repo DIR --size 32 --widths 4:128,8:128,16:64,32:64 --latent 128 --n-mlp 4 --batch 16 --steps 12
          train.py's iteration without path length: D step, lazy R1 every 16 steps, G step, EMA; random reals.
          Widths at <= 32 px replace model.py's hard-coded 512 in the source text before it is executed (in memory)

The reference compiles its fused CUDA/C++ ops at import (op/fused_act.py, op/upfirdn2d.py call
torch.utils.cpp_extension.load); on a CPU its functions take their pure-PyTorch branches instead, so the build is
replaced by a no-op before the import, in this process only. Nothing in DIR is modified.
"""
import argparse
import json
import sys
import time

T0 = time.perf_counter()

import numpy as np  # noqa: E402
import torch  # noqa: E402


def import_reference(repo, widths=None):
    import torch.utils.cpp_extension as ext
    ext.load = lambda *args, **kwargs: None  # CPU: the ops' native branches need no compiled extension
    sys.path.insert(0, repo)
    if not widths:
        import model  # rosinality's model.py
        return model
    import os
    import types
    path = os.path.join(repo, "model.py")
    with open(path) as f:
        src = f.read()
    for res, ch in widths.items():
        if res <= 32:
            old = "%d: 512," % res
            if src.count(old) != 2:
                raise SystemExit("model.py: expected '%s' twice (Generator and Discriminator)" % old)
            src = src.replace(old, "%d: %d," % (res, ch))
    mod = types.ModuleType("model")
    mod.__file__ = path
    exec(compile(src, path, "exec"), mod.__dict__)
    return mod


def train(model, a):
    """train.py's loop body (path length off): its losses, lazy R1 and Adam settings, on random images."""
    from torch import autograd
    from torch.nn import functional as F
    torch.manual_seed(a.seed)
    widths = parse_widths(a.widths)
    cm = 1
    g = model.Generator(a.size, a.latent, a.n_mlp, channel_multiplier=cm)
    d = model.Discriminator(a.size, channel_multiplier=cm)
    g_ema = model.Generator(a.size, a.latent, a.n_mlp, channel_multiplier=cm).eval()
    g_ema.load_state_dict(g.state_dict())
    reg_every = 16
    ratio = reg_every / (reg_every + 1)
    g_optim = torch.optim.Adam(g.parameters(), lr=0.002, betas=(0, 0.99))  # G: no lazy regulariser (no path length)
    d_optim = torch.optim.Adam(d.parameters(), lr=0.002 * ratio, betas=(0, 0.99 ** ratio))
    real = torch.randn(a.batch, 3, a.size, a.size)

    def set_grad(m, flag):
        for p in m.parameters():
            p.requires_grad = flag

    def z_mix():
        if torch.rand(1).item() < 0.9:
            return list(torch.randn(2, a.batch, a.latent).unbind(0))
        return [torch.randn(a.batch, a.latent)]

    times = []
    for i in range(a.steps):
        t = time.perf_counter()
        set_grad(g, False)
        set_grad(d, True)
        fake, _ = g(z_mix())
        d_loss = F.softplus(d(fake)).mean() + F.softplus(-d(real)).mean()
        d.zero_grad()
        d_loss.backward()
        d_optim.step()
        if i % reg_every == 0:
            real.requires_grad = True
            real_pred = d(real)
            grad, = autograd.grad(outputs=real_pred.sum(), inputs=real, create_graph=True)
            r1 = grad.pow(2).reshape(grad.shape[0], -1).sum(1).mean()
            d.zero_grad()
            (10 / 2 * r1 * reg_every + 0 * real_pred[0]).backward()
            d_optim.step()
            real.requires_grad = False
        set_grad(g, True)
        set_grad(d, False)
        fake, _ = g(z_mix())
        g_loss = F.softplus(-d(fake)).mean()
        g.zero_grad()
        g_loss.backward()
        g_optim.step()
        with torch.no_grad():
            decay = 0.5 ** (32 / (10 * 1000))
            for pe, p in zip(g_ema.parameters(), g.parameters()):
                pe.mul_(decay).add_(p, alpha=1 - decay)
        times.append(time.perf_counter() - t)
    warm = times[2:] if len(times) > 4 else times
    # a real run pays R1 once per 16 iterations: the mean of the plain ones plus a sixteenth of the R1 one's extra
    plain = sorted(warm)[len(warm) // 2]
    step = plain + max(0.0, times[0] - plain) / reg_every
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "widths": widths,
                      "median_iteration_s": plain, "first_iteration_with_r1_s": times[0],
                      "iteration_s": step, "batch": a.batch,
                      "parameters_g": sum(p.numel() for p in g.parameters()),
                      "parameters_d": sum(p.numel() for p in d.parameters())}))


def parse_widths(text):
    out = {}
    for part in (text or "").split(","):
        if part.strip():
            r, c = part.split(":")
            out[int(r)] = int(c)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["make", "render", "train"])
    p.add_argument("--repo", required=True)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--latent", type=int, default=512)
    p.add_argument("--n-mlp", type=int, default=8)
    p.add_argument("--channel-multiplier", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--checkpoint")
    p.add_argument("--z")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--widths")
    p.add_argument("--steps", type=int, default=12)
    p.add_argument("--out")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    model = import_reference(a.repo, parse_widths(a.widths))
    t_import = time.perf_counter() - T0
    if a.command == "train":
        train(model, a)
        return

    if a.command == "make":
        torch.manual_seed(a.seed)
        g = model.Generator(a.size, a.latent, a.n_mlp, channel_multiplier=a.channel_multiplier).eval()
        with torch.no_grad():
            mean = g.mean_latent(4096)
        tmp = a.out + ".tmp"
        torch.save({"g_ema": g.state_dict(), "latent_avg": mean[0],
                    "args": {"size": a.size, "latent": a.latent, "n_mlp": a.n_mlp,
                             "channel_multiplier": a.channel_multiplier, "arch": "stylegan2"}}, tmp)
        import os
        os.replace(tmp, a.out)
        print(json.dumps({"parameters": sum(t.numel() for t in g.parameters())}))
        return

    t = time.perf_counter()
    ck = torch.load(a.checkpoint, map_location="cpu")
    sd = ck["g_ema"]
    g = model.Generator(a.size, a.latent, a.n_mlp, channel_multiplier=a.channel_multiplier)
    g.load_state_dict(sd)
    g.eval()
    t_load = time.perf_counter() - t
    z = torch.from_numpy(np.load(a.z)).float()
    out = []
    t = time.perf_counter()
    with torch.no_grad():
        for i in range(0, z.shape[0], a.batch):
            img, _ = g([z[i:i + a.batch]], randomize_noise=False)
            out.append(img)
    t_render = time.perf_counter() - t
    x = torch.cat(out).numpy()
    np.save(a.out, x)
    import resource
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "import_s": t_import,
                      "load_s": t_load, "render_s": t_render, "images": int(z.shape[0]),
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
