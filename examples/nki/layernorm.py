"""LayerNorm y = (x - mean) / sqrt(var + eps) * gamma + beta over the rows of x[N, D], with the
Vector engine's statistics instructions: bn_stats on chunks of at most nl.tile_size.bn_stats_fmax
elements, bn_aggr to the row's mean and variance, one tensor_scalar to normalise, and gamma and
beta broadcast to every partition by DMA (row step 0).

Run:  PYTHONPATH=build/python /usr/bin/python3 -m nsim.nki examples/nki/layernorm.py
"""
import warnings

import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def layernorm(x, gamma, beta, eps=1e-5):
    N, D = x.shape
    P = nl.tile_size.pmax
    chunk = min(D, nl.tile_size.bn_stats_fmax)
    chunks = D // chunk
    out = nl.ndarray((N, D), x.dtype, buffer=nl.shared_hbm)
    g = nl.ndarray((P, D), nl.float32, buffer=nl.sbuf)
    b = nl.ndarray((P, D), nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=g, src=gamma.ap([[0, P], [1, D]]))
    nisa.dma_copy(dst=b, src=beta.ap([[0, P], [1, D]]))
    for i in nl.affine_range(N // P):
        t = nl.ndarray((P, D), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x[i * P:(i + 1) * P, :])
        stats = nl.ndarray((P, chunks * 6), nl.float32, buffer=nl.sbuf)
        for c in nl.affine_range(chunks):
            nisa.bn_stats(dst=stats[:, c * 6:(c + 1) * 6], data=t[:, c * chunk:(c + 1) * chunk])
        mean_var = nl.ndarray((P, 2), nl.float32, buffer=nl.sbuf)
        nisa.bn_aggr(dst=mean_var, data=stats)
        rstd = nl.ndarray((P, 1), nl.float32, buffer=nl.sbuf)
        nisa.tensor_scalar(dst=rstd, data=mean_var[:, 1:2], op0=nl.add, operand0=eps)
        nisa.activation(dst=rstd, op=nl.rsqrt, data=rstd)
        nisa.tensor_scalar(dst=t, data=t, op0=nl.subtract, operand0=mean_var[:, 0:1],
                           op1=nl.multiply, operand1=rstd)
        nisa.tensor_tensor(dst=t, data1=t, data2=g, op=nl.multiply)
        y = nl.ndarray((P, D), x.dtype, buffer=nl.sbuf)
        nisa.tensor_tensor(dst=y, data1=t, data2=b, op=nl.add)
        nisa.dma_copy(dst=out[i * P:(i + 1) * P, :], src=y)
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
    got = nki.simulate(layernorm)(x, gamma, beta)
    error = np.abs(got - reference(x, gamma, beta)).max()
    print(f"layernorm 256x1024 fp32: max abs error {error:.1e} {'ok' if error < 1e-4 else 'FAILED'}")
    bench = nki.benchmark(warmup=1, iters=1)(layernorm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bench(nki.placeholder((8192, 4096), nl.float32), nki.placeholder((1, 4096), nl.float32),
              nki.placeholder((1, 4096), nl.float32))
    report = nki.last_report()
    print(f"layernorm 8192x4096 fp32 (timing only): "
          f"{bench.benchmark_result.nc_latency.get_latency_percentile(50):.1f} us, vector engine "
          f"{100 * report['engines']['vector']['utilization']:.0f}% busy, DMA busy "
          f"{100 * report['dma']['busy_ns'] / report['time_ns']:.0f}%")
    raise SystemExit(0 if error < 1e-4 else 1)


if __name__ == "__main__":
    main()
