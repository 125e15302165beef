"""LayerNorm in the NKI Beta 1 style with the Vector engine's statistics: nisa.bn_stats per
chunk of nl.tile_size.bn_stats_fmax elements written into a stats tile with arange indices,
nisa.bn_aggr to mean and variance, rsqrt(var + eps) as an activation with a bias, one
tensor_scalar to normalise, gamma and beta through broadcast_to.

Run:  PYTHONPATH=build/python /usr/bin/python3 -m nsim.nki examples/nki/beta1_layernorm.py
"""
import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl
import neuronxcc.nki.typing as nt


@nki.jit
def layernorm(x, gamma, beta, eps=1e-5):
    n, d = x.shape
    P, fmax = nl.tile_size.pmax, nl.tile_size.bn_stats_fmax
    chunk = min(d, fmax)
    out = nl.ndarray((n, d), dtype=x.dtype, buffer=nl.shared_hbm)
    i_p, i_f = nl.arange(P)[:, None], nl.arange(d)[None, :]
    i_c, i_s = nl.arange(chunk)[None, :], nl.arange(6)[None, :]
    g = nl.load(gamma).broadcast_to((P, d))
    b = nl.load(beta).broadcast_to((P, d))
    for t in nl.affine_range(n // P):
        tile = nl.load(x[t * P + i_p, i_f])
        stats = nl.ndarray((P, 6 * (d // chunk)), dtype=nl.float32)
        for c in nl.affine_range(d // chunk):
            stats[i_p, c * 6 + i_s] = nisa.bn_stats(tile[i_p, c * chunk + i_c],
                                                    dtype=nl.float32)
        mean_var = nisa.bn_aggr(stats)
        rstd = nisa.activation(op=nl.rsqrt, data=mean_var[i_p, 1], bias=eps)
        y = nisa.tensor_scalar(tile, nl.subtract, mean_var[i_p, 0], op1=nl.multiply,
                               operand1=rstd)
        nl.store(out[t * P + i_p, i_f], value=y * g + b)
    return out


def reference(x, gamma, beta, eps=1e-5):
    x = x.astype(np.float64)
    mean = x.mean(axis=1, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=1, keepdims=True) + eps) * gamma + beta


def main():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 1024)).astype(np.float32)
    gamma = rng.standard_normal((1, 1024)).astype(np.float32)
    beta = rng.standard_normal((1, 1024)).astype(np.float32)
    error = np.abs(nki.baremetal(layernorm)(x, gamma, beta) - reference(x, gamma, beta)).max()
    print(f"layernorm 256x1024: max abs error {error:.1e} {'ok' if error < 1e-4 else 'FAILED'}")
    bench = nki.benchmark(warmup=1, iters=5)(layernorm)
    bench(nt.tensor[[2048, 1024], nl.float32], nt.tensor[[1, 1024], nl.float32],
          nt.tensor[[1, 1024], nl.float32])
    print(f"layernorm 2048x1024 fp32 (nki.benchmark): "
          f"{bench.benchmark_result.nc_latency.get_latency_percentile(50):.1f} us")
    raise SystemExit(0 if error < 1e-4 else 1)


if __name__ == "__main__":
    main()
