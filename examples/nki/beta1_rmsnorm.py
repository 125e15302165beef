"""RMSNorm y = x / sqrt(mean(x^2) + eps) * gamma in the NKI Beta 1 style: tiles as values
(nl.square, nl.mean, nl.rsqrt, operators), gamma brought to every partition with broadcast_to.

Run:  PYTHONPATH=build/python /usr/bin/python3 -m nsim.nki examples/nki/beta1_rmsnorm.py
"""
import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.language as nl
import neuronxcc.nki.typing as nt


@nki.jit
def rmsnorm(x, gamma, eps=1e-6):
    n, d = x.shape
    P = nl.tile_size.pmax
    out = nl.ndarray((n, d), dtype=x.dtype, buffer=nl.shared_hbm)
    i_p, i_f = nl.arange(P)[:, None], nl.arange(d)[None, :]
    g = nl.load(gamma).broadcast_to((P, d))
    for t in nl.affine_range(n // P):
        tile = nl.load(x[t * P + i_p, i_f])
        rstd = nl.rsqrt(nl.mean(nl.square(tile), axis=[1]) + eps)
        nl.store(out[t * P + i_p, i_f], value=tile * rstd * g)
    return out


def reference(x, gamma, eps=1e-6):
    x = x.astype(np.float64)
    return x / np.sqrt((x * x).mean(axis=1, keepdims=True) + eps) * gamma


def main():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 384)).astype(np.float32)
    gamma = rng.standard_normal((1, 384)).astype(np.float32)
    error = np.abs(nki.simulate_kernel(rmsnorm, x, gamma) - reference(x, gamma)).max()
    print(f"rmsnorm 256x384: max abs error {error:.1e} {'ok' if error < 1e-4 else 'FAILED'}")
    bench = nki.benchmark(rmsnorm)
    bench(nt.tensor[[2048, 1024], nl.float32], nt.tensor[[1, 1024], nl.float32])
    print(f"rmsnorm 2048x1024 fp32 (nki.benchmark): "
          f"{bench.benchmark_result.nc_latency.get_latency_percentile(50):.1f} us")
    raise SystemExit(0 if error < 1e-4 else 1)


if __name__ == "__main__":
    main()
