#!/usr/bin/env python3
"""Writes the feature sets and the FID / KID values that NVlabs' stylegan2-ada-pytorch metrics give for them.

An independent reference for the workbench's metrics.Distances (DistancesReferenceTest). The arithmetic follows
NVlabs' code step by step with the same library calls (read in NVlabs/stylegan2-ada-pytorch, metrics/):
  - metric_utils.FeatureStats.get_mean_cov: mean = sum / n, cov = sum(x x^T) / n - mean mean^T (divided by n, not n - 1)
  - frechet_inception_distance.compute_fid: |mu_g - mu_r|^2 + trace(S_g + S_r - 2 real(scipy.linalg.sqrtm(S_g S_r)))
  - kernel_inception_distance.compute_kid: subsets of m = min(n_g, n_r, 1000) rows drawn without replacement, kernel
    (x.y / d + 1)^3, t += (sum(a) - trace(a)) / (m - 1) - 2 sum(b) / m, kid = t / subsets / m. With n_g = n_r <= 1000
    every subset is a permutation of the whole set, so the value does not depend on the random draws.
Made with Debian 12's python3-numpy 1.24 and python3-scipy 1.10 (apt-get install python3-numpy python3-scipy):
    /usr/bin/python3 make_reference.py   (in this folder; rewrites *.npy and reference.json)
"""
import json

import numpy as np
import scipy
import scipy.linalg


def feature_sets(rng, n, d, shift, mix):
    """Correlated, non-Gaussian features (a shared factor, a ReLU as in a network's features)."""
    base = rng.standard_normal((n, d)) @ (np.eye(d) + mix * rng.standard_normal((d, d)))
    return np.maximum(base + shift, 0).astype(np.float32)


def mean_cov(x):
    x = x.astype(np.float64)
    n = x.shape[0]
    mean = x.sum(axis=0) / n
    cov = (x.T @ x) / n - np.outer(mean, mean)
    return mean, cov


def fid(gen, real):
    mu_g, s_g = mean_cov(gen)
    mu_r, s_r = mean_cov(real)
    m = np.square(mu_g - mu_r).sum()
    s, _ = scipy.linalg.sqrtm(np.dot(s_g, s_r), disp=False)
    return float(np.real(m + np.trace(s_g + s_r - s * 2)))


def kid(gen, real, subsets=100, max_subset=1000, seed=0):
    rng = np.random.RandomState(seed)
    gen = gen.astype(np.float64)
    real = real.astype(np.float64)
    n = real.shape[1]
    m = min(min(real.shape[0], gen.shape[0]), max_subset)
    t = 0
    for _ in range(subsets):
        x = gen[rng.choice(gen.shape[0], m, replace=False)]
        y = real[rng.choice(real.shape[0], m, replace=False)]
        a = (x @ x.T / n + 1) ** 3 + (y @ y.T / n + 1) ** 3
        b = (x @ y.T / n + 1) ** 3
        t += (a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m
    return float(t / subsets / m)


def main():
    rng = np.random.default_rng(20261202)
    cases = {
        # name: (n, d, shift of the generated set, mixing) - full-rank and rank-deficient covariances
        "full-rank": (400, 32, 0.3, 0.2),
        "rank-deficient": (48, 96, 0.1, 0.3),
        "same-distribution": (300, 24, 0.0, 0.2),
    }
    out = {"numpy": np.__version__, "scipy": scipy.__version__, "cases": {}}
    for name, (n, d, shift, mix) in cases.items():
        real = feature_sets(rng, n, d, 0.0, mix)
        gen = feature_sets(rng, n, d, shift, mix)
        np.save(f"{name}-real.npy", real)
        np.save(f"{name}-gen.npy", gen)
        out["cases"][name] = {"n": n, "d": d, "fid": fid(gen, real), "kid": kid(gen, real)}
    with open("reference.json", "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
