"""Transposes in the NKI Beta 1 style: the two free dims of each partition swapped by an
assignment between arange-indexed views (one strided copy), and a 2-D matrix loaded transposed
with nl.load_transpose2d.

Run:  PYTHONPATH=build/python /usr/bin/python3 -m nsim.nki examples/nki/beta1_transpose.py
"""
import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.language as nl
import neuronxcc.nki.typing as nt


@nki.jit
def transpose_free(x):
    """x [P, a, b] -> [P, b, a]."""
    P, a, b = x.shape
    out = nl.ndarray((P, b, a), dtype=x.dtype, buffer=nl.shared_hbm)
    i_p = nl.arange(P)[:, None, None]
    i_a = nl.arange(a)[None, :, None]
    i_b = nl.arange(b)[None, None, :]
    in_tile = nl.load(x)
    out_tile = nl.ndarray((P, b, a), dtype=x.dtype, buffer=nl.sbuf)
    out_tile[i_p, i_b, i_a] = in_tile[i_p, i_a, i_b]
    nl.store(out, value=out_tile)
    return out


@nki.jit
def transpose_2d(x):
    """x [m, n] (n <= 128) -> [n, m]."""
    out = nl.ndarray((x.shape[1], x.shape[0]), dtype=x.dtype, buffer=nl.shared_hbm)
    nl.store(out, value=nl.load_transpose2d(x))
    return out


def main():
    rng = np.random.default_rng(0)
    x = rng.integers(-100, 100, (128, 12, 20)).astype(np.int32)
    y = rng.standard_normal((200, 96)).astype(np.float32)
    ok = np.array_equal(transpose_free(x), x.transpose(0, 2, 1)) and \
        np.array_equal(transpose_2d(y), y.T)
    print(f"transposes 128x12x20 int32 (free dims) and 200x96 (load_transpose2d): "
          f"{'exact' if ok else 'WRONG'}")
    bench = nki.benchmark(warmup=1, iters=5)(transpose_free)
    bench(nt.tensor[[128, 64, 64], nl.float32])
    print(f"free-dim transpose 128x64x64 fp32 (nki.benchmark): "
          f"{bench.benchmark_result.nc_latency.get_latency_percentile(50):.1f} us")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
