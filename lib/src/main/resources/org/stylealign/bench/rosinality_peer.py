"""The reference peer of `stylealign bench --peer rosinality=DIR`: runs rosinality/stylegan2-pytorch's own model code
(from the checkout DIR, never copied into this project) on the CPU and reports its timings as one JSON line.

  make    --repo DIR --size 256 --channel-multiplier 1 --seed 1 --out G.pt
          a randomly initialised generator (the reference's own initialisation) saved as rosinality saves one
  render  --repo DIR --checkpoint G.pt --z z.npy --batch 8 --out x.npy
          images from z with the stored noise (randomize_noise=False), under torch.no_grad(), in batches

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


def import_reference(repo):
    import torch.utils.cpp_extension as ext
    ext.load = lambda *args, **kwargs: None  # CPU: the ops' native branches need no compiled extension
    sys.path.insert(0, repo)
    import model  # rosinality's model.py
    return model


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["make", "render"])
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
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    model = import_reference(a.repo)
    t_import = time.perf_counter() - T0

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
