"""Tiled matmul in the NKI Beta 1 style: C[M, N] = A^T B with A^T given as lhsT[K, M], K in
steps of 128 accumulated in one PSUM tile with `res_psum += nl.matmul(...)`, tiles addressed with
nl.arange index expressions; a second kernel lets nl.matmul transpose x itself.

Run:  PYTHONPATH=build/python /usr/bin/python3 -m nsim.nki examples/nki/beta1_matmul.py
"""
import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.language as nl
import neuronxcc.nki.typing as nt


@nki.jit
def matmul_tiled(lhsT, rhs):
    K, M = lhsT.shape
    _, N = rhs.shape
    TK, TM, TN = nl.tile_size.pmax, nl.tile_size.gemm_stationary_fmax, \
        nl.tile_size.gemm_moving_fmax
    result = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    i_k, i_p = nl.arange(TK)[:, None], nl.arange(TM)[:, None]
    i_m, i_n = nl.arange(TM)[None, :], nl.arange(TN)[None, :]
    for m in nl.affine_range(M // TM):
        for n in nl.affine_range(N // TN):
            res_psum = nl.zeros((TM, TN), nl.float32, buffer=nl.psum)
            for k in nl.affine_range(K // TK):
                a = nl.load(lhsT[k * TK + i_k, m * TM + i_m])
                b = nl.load(rhs[k * TK + i_k, n * TN + i_n])
                res_psum += nl.matmul(a, b, transpose_x=True)
            res = nl.copy(res_psum, dtype=result.dtype)
            nl.store(result[m * TM + i_p, n * TN + i_n], value=res)
    return result


@nki.jit
def matmul_small(x, y):
    """x [M, K] @ y [K, N], one tile each: nl.matmul transposes x first."""
    out = nl.ndarray((x.shape[0], y.shape[1]), dtype=nl.float32, buffer=nl.shared_hbm)
    nl.store(out, nl.matmul(nl.load(x), nl.load(y)))
    return out


def main():
    rng = np.random.default_rng(0)
    lhsT = rng.integers(-8, 8, (256, 256)).astype(np.float32)
    rhs = rng.integers(-8, 8, (256, 1024)).astype(np.float32)
    exact = np.array_equal(matmul_tiled(lhsT, rhs), lhsT.T @ rhs)
    x = rng.standard_normal((64, 96)).astype(np.float32)
    y = rng.standard_normal((96, 200)).astype(np.float32)
    error = np.abs(matmul_small(x, y) - x @ y).max()
    ok = exact and error < 1e-4
    print(f"matmul 256x256x1024 (psum +=): {'exact' if exact else 'WRONG'}; 64x96x200 without "
          f"transpose_x: max abs error {error:.1e} {'ok' if ok else 'FAILED'}")
    bench = nki.benchmark(matmul_tiled, warmup=2, iters=10)
    bench(nt.tensor[[512, 512], nl.bfloat16], nt.tensor[[512, 1024], nl.bfloat16])
    print(f"matmul 512x512x1024 bf16 (nki.benchmark): "
          f"{bench.benchmark_result.nc_latency.get_latency_percentile(99):.1f} us")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
