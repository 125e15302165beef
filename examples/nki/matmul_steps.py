"""A tiled matmul result[M, N] = lhsT[K, M]^T @ rhs[K, N] in four steps, from naive to blocked,
written against the NKI API (nki.jit, nl.ndarray buffers, nisa instructions only).

Run:  PYTHONPATH=build/python /usr/bin/python3 -m nsim.nki examples/nki/matmul_steps.py
Each step is first checked against numpy on a small shape, then timed (timing only) on
--size M K N (default 4096 8192 8192, bf16): simulated latency and the tensor engine's
utilisation. The target is trn1 unless the runner's --chip, NSIM_CHIP or NKI's own
NEURON_PLATFORM_TARGET_OVERRIDE says otherwise.
"""
import argparse
import os
import time
import warnings

import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl

os.environ.setdefault("NEURON_PLATFORM_TARGET_OVERRIDE", "trn1")

TILE_K = 128  # nl.tile_size.pmax: the contraction runs over the partitions
TILE_M = 128  # nl.tile_size.gemm_stationary_fmax
TILE_N = 512  # nl.tile_size.gemm_moving_fmax: one PSUM bank of fp32


def evict(result, res_psum, m, n):
    """PSUM tile -> SBUF (in the output dtype) -> its place in result."""
    out = nl.ndarray((TILE_M, TILE_N), result.dtype, buffer=nl.sbuf)
    nisa.tensor_copy(dst=out, src=res_psum)
    nisa.dma_copy(dst=result[m * TILE_M:(m + 1) * TILE_M, n * TILE_N:(n + 1) * TILE_N], src=out)


@nki.jit
def matmul_naive(lhsT, rhs):
    """Step 1: every matmul loads both of its tiles."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    result = nl.ndarray((M, N), lhsT.dtype, buffer=nl.shared_hbm)
    for m in nl.affine_range(M // TILE_M):
        for n in nl.affine_range(N // TILE_N):
            res = nl.ndarray((TILE_M, TILE_N), nl.float32, buffer=nl.psum)
            for k in nl.affine_range(K // TILE_K):
                a = nl.ndarray((TILE_K, TILE_M), lhsT.dtype, buffer=nl.sbuf)
                b = nl.ndarray((TILE_K, TILE_N), rhs.dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=a, src=lhsT[k * TILE_K:(k + 1) * TILE_K,
                                              m * TILE_M:(m + 1) * TILE_M])
                nisa.dma_copy(dst=b, src=rhs[k * TILE_K:(k + 1) * TILE_K,
                                             n * TILE_N:(n + 1) * TILE_N])
                nisa.nc_matmul(res, a, b)
            evict(result, res, m, n)
    return result


@nki.jit
def matmul_hoist_lhs(lhsT, rhs):
    """Step 2: the stationary column block of m is loaded once (one DMA) and reused for every n."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    KT = K // TILE_K
    result = nl.ndarray((M, N), lhsT.dtype, buffer=nl.shared_hbm)
    for m in nl.affine_range(M // TILE_M):
        a = nl.ndarray((TILE_K, KT, TILE_M), lhsT.dtype, buffer=nl.sbuf)
        # partition p, tile k, column j <- lhsT[k * TILE_K + p, m * TILE_M + j]
        nisa.dma_copy(dst=a, src=lhsT.ap([[M, TILE_K], [TILE_K * M, KT], [1, TILE_M]],
                                         offset=m * TILE_M))
        for n in nl.affine_range(N // TILE_N):
            res = nl.ndarray((TILE_M, TILE_N), nl.float32, buffer=nl.psum)
            for k in nl.affine_range(KT):
                b = nl.ndarray((TILE_K, TILE_N), rhs.dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=b, src=rhs[k * TILE_K:(k + 1) * TILE_K,
                                             n * TILE_N:(n + 1) * TILE_N])
                nisa.nc_matmul(res, a[:, k, :], b)
            evict(result, res, m, n)
    return result


@nki.jit
def matmul_block_rhs(lhsT, rhs, block_m=4):
    """Step 3: also the moving row block of n, loaded once (one DMA) for block_m tiles of m."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    KT = K // TILE_K
    result = nl.ndarray((M, N), lhsT.dtype, buffer=nl.shared_hbm)
    for mb in nl.affine_range(M // (TILE_M * block_m)):
        a = nl.ndarray((TILE_K, KT, block_m * TILE_M), lhsT.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=a, src=lhsT.ap([[M, TILE_K], [TILE_K * M, KT], [1, block_m * TILE_M]],
                                         offset=mb * block_m * TILE_M))
        for n in nl.affine_range(N // TILE_N):
            b = nl.ndarray((TILE_K, KT, TILE_N), rhs.dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=b, src=rhs.ap([[N, TILE_K], [TILE_K * N, KT], [1, TILE_N]],
                                            offset=n * TILE_N))
            for mi in nl.affine_range(block_m):
                res = nl.ndarray((TILE_M, TILE_N), nl.float32, buffer=nl.psum)
                for k in nl.affine_range(KT):
                    nisa.nc_matmul(res, a[:, k, mi * TILE_M:(mi + 1) * TILE_M], b[:, k, :])
                evict(result, res, mb * block_m + mi, n)
    return result


@nki.jit
def matmul_blocked(lhsT, rhs, block_m=4, block_n=2, block_k=16):
    """Step 4: blocks of all three dims; block_m x block_n PSUM tiles accumulate over the K
    blocks, each loaded block feeds block_n (lhsT) or block_m (rhs) matmuls."""
    K, M = lhsT.shape
    N = rhs.shape[1]
    BM, BN, BK = block_m * TILE_M, block_n * TILE_N, block_k * TILE_K
    result = nl.ndarray((M, N), lhsT.dtype, buffer=nl.shared_hbm)
    for mb in nl.affine_range(M // BM):
        for nb in nl.affine_range(N // BN):
            res = [[nl.ndarray((TILE_M, TILE_N), nl.float32, buffer=nl.psum)
                    for _ in range(block_n)] for _ in range(block_m)]
            for kb in nl.affine_range(K // BK):
                a = nl.ndarray((TILE_K, block_k, BM), lhsT.dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=a, src=lhsT.ap([[M, TILE_K], [TILE_K * M, block_k], [1, BM]],
                                                 offset=kb * BK * M + mb * BM))
                b = nl.ndarray((TILE_K, block_k, BN), rhs.dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=b, src=rhs.ap([[N, TILE_K], [TILE_K * N, block_k], [1, BN]],
                                                offset=kb * BK * N + nb * BN))
                for k in nl.affine_range(block_k):
                    for mi in nl.affine_range(block_m):
                        for ni in nl.affine_range(block_n):
                            nisa.nc_matmul(res[mi][ni], a[:, k, mi * TILE_M:(mi + 1) * TILE_M],
                                           b[:, k, ni * TILE_N:(ni + 1) * TILE_N])
            for mi in range(block_m):
                for ni in range(block_n):
                    evict(result, res[mi][ni], mb * block_m + mi, nb * block_n + ni)
    return result


STEPS = [("1 naive", matmul_naive, {}),
         ("2 hoisted lhsT", matmul_hoist_lhs, {}),
         ("3 rhs blocked", matmul_block_rhs, {}),
         ("4 all blocked", matmul_blocked, {})]
SMALL = {"1 naive": {}, "2 hoisted lhsT": {}, "3 rhs blocked": {"block_m": 2},
         "4 all blocked": {"block_m": 2, "block_n": 2, "block_k": 2}}


def check(name, kernel, M=256, K=512, N=1024):
    """The kernel on a small shape against numpy (inputs are bf16, products exact in fp32)."""
    rng = np.random.default_rng(0)
    lhsT = nki.array(rng.standard_normal((K, M)), nl.bfloat16)
    rhs = nki.array(rng.standard_normal((K, N)), nl.bfloat16)
    got = nki.simulate(kernel)(lhsT, rhs, **SMALL[name])
    want = lhsT.values.T.astype(np.float64) @ rhs.values.astype(np.float64)
    error = np.abs(got - want).max() / np.abs(want).max()
    ok = error < 1e-2  # the bf16 rounding of the output
    print(f"step {name:15s} check {M}x{K}x{N}: max error {error:.1e} of max |result| "
          f"{'ok' if ok else 'FAILED'}")
    return ok


def time_step(name, kernel, kwargs, M, K, N):
    lhsT = nki.placeholder((K, M), nl.bfloat16)
    rhs = nki.placeholder((K, N), nl.bfloat16)
    bench = nki.benchmark(warmup=1, iters=1)(kernel)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # timing only: the outputs are zeros, as announced
        bench(lhsT, rhs, **kwargs)
    host = time.perf_counter() - start
    report = nki.last_report()
    us = bench.benchmark_result.nc_latency.get_latency_percentile(50)
    flops = 2.0 * M * N * K
    tensor = report["engines"]["tensor"]
    print(f"step {name:15s} {M}x{K}x{N}: {us:9.1f} us  tensor engine "
          f"{100 * tensor['utilization']:5.1f}% busy, waits {tensor['semaphore_wait_ns'] / 1000:8.1f}"
          f" us  {flops / us / 1e6:5.1f} TFLOP/s  DMA {report['dma']['bytes'] / 2**20:6.0f} MiB "
          f"busy {100 * report['dma']['busy_ns'] / report['time_ns']:5.1f}%  "
          f"{report['instructions']} instructions, host {host:.0f} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, nargs=3, default=[4096, 8192, 8192],
                        metavar=("M", "K", "N"))
    parser.add_argument("--steps", default="1234", help="which steps to time")
    parser.add_argument("--no-timing", action="store_true", help="only the numpy checks")
    o = parser.parse_args()
    ok = all([check(name, kernel) for name, kernel, _ in STEPS])
    if not o.no_timing:
        for name, kernel, kwargs in STEPS:
            if name[0] in o.steps:
                time_step(name, kernel, kwargs, *o.size)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
