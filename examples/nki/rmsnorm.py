"""RMSNorm y = x / sqrt(mean(x^2, axis=1) + eps) * gamma over the rows of x[N, D], with nisa
instructions only: squares and their row sums in one activation, the reciprocal root per row,
then two multiplies. gamma reaches every partition through a broadcast DMA (row step 0).

Run:  PYTHONPATH=build/python /usr/bin/python3 -m nsim.nki examples/nki/rmsnorm.py
"""
import warnings

import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def rmsnorm(x, gamma, eps=1e-6):
    N, D = x.shape
    P = nl.tile_size.pmax
    out = nl.ndarray((N, D), x.dtype, buffer=nl.shared_hbm)
    g = nl.ndarray((P, D), nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=g, src=gamma.ap([[0, P], [1, D]]))  # gamma on every partition
    for i in nl.affine_range(N // P):
        t = nl.ndarray((P, D), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x[i * P:(i + 1) * P, :])
        squares = nl.ndarray((P, D), nl.float32, buffer=nl.sbuf)
        total = nl.ndarray((P, 1), nl.float32, buffer=nl.sbuf)
        nisa.activation(dst=squares, op=nl.square, data=t, reduce_op=nl.add, reduce_res=total)
        mean = nl.ndarray((P, 1), nl.float32, buffer=nl.sbuf)
        nisa.tensor_scalar(dst=mean, data=total, op0=nl.multiply, operand0=1.0 / D,
                           op1=nl.add, operand1=eps)
        inv = nl.ndarray((P, 1), nl.float32, buffer=nl.sbuf)
        nisa.activation(dst=inv, op=nl.rsqrt, data=mean)
        nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=inv)
        y = nl.ndarray((P, D), x.dtype, buffer=nl.sbuf)
        nisa.tensor_tensor(dst=y, data1=t, data2=g, op=nl.multiply)
        nisa.dma_copy(dst=out[i * P:(i + 1) * P, :], src=y)
    return out


def reference(x, gamma, eps=1e-6):
    x = x.astype(np.float64)
    return x / np.sqrt((x * x).mean(axis=1, keepdims=True) + eps) * gamma


def main():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 1024)).astype(np.float32)
    gamma = rng.standard_normal((1, 1024)).astype(np.float32)
    got = nki.simulate(rmsnorm)(x, gamma)
    error = np.abs(got - reference(x, gamma)).max()
    print(f"rmsnorm 256x1024 fp32: max abs error {error:.1e} {'ok' if error < 1e-4 else 'FAILED'}")
    bench = nki.benchmark(warmup=1, iters=1)(rmsnorm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bench(nki.placeholder((8192, 4096), nl.float32), nki.placeholder((1, 4096), nl.float32))
    report = nki.last_report()
    print(f"rmsnorm 8192x4096 fp32 (timing only): "
          f"{bench.benchmark_result.nc_latency.get_latency_percentile(50):.1f} us, "
          f"DMA busy {100 * report['dma']['busy_ns'] / report['time_ns']:.0f}%, "
          f"{report['device_memory']['achieved_gbps']:.0f} GB/s of device memory")
    raise SystemExit(0 if error < 1e-4 else 1)


if __name__ == "__main__":
    main()
