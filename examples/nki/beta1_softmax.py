"""Row softmax in the NKI Beta 1 style (neuronxcc.nki): rows in tiles of 128 partitions, the last
tile ragged and cut with mask=, tiles as values (nl.max, operators, nl.exp, nl.sum, '/').

Run:  PYTHONPATH=build/python /usr/bin/python3 -m nsim.nki examples/nki/beta1_softmax.py
"""
import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.language as nl
import neuronxcc.nki.typing as nt


@nki.jit
def softmax_rows(x):
    n, d = x.shape
    out = nl.ndarray((n, d), dtype=x.dtype, buffer=nl.shared_hbm)
    i_p = nl.arange(nl.tile_size.pmax)[:, None]
    i_f = nl.arange(d)[None, :]
    for t in nl.affine_range((n + nl.tile_size.pmax - 1) // nl.tile_size.pmax):
        rows = t * nl.tile_size.pmax + i_p
        tile = nl.load(x[rows, i_f], mask=(rows < n))
        row_max = nl.max(tile, axis=1, mask=(rows < n))
        shifted = nl.subtract(tile, row_max, mask=(rows < n))
        e = nl.exp(shifted, mask=(rows < n))
        total = nl.sum(e, axis=1, mask=(rows < n))
        nl.store(out[rows, i_f], value=e / total, mask=(rows < n))
    return out


def reference(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main():
    x = np.random.default_rng(0).standard_normal((300, 96)).astype(np.float32)
    error = np.abs(softmax_rows(x) - reference(x)).max()
    print(f"softmax 300x96 (ragged last tile): max abs error {error:.1e} "
          f"{'ok' if error < 1e-5 else 'FAILED'}")
    bench = nki.benchmark(warmup=2, iters=10)(softmax_rows)
    bench(nt.tensor[[1000, 512], nl.float32])
    print(f"softmax 1000x512 fp32 (nki.benchmark): "
          f"{bench.benchmark_result.nc_latency.get_latency_percentile(50):.1f} us")
    raise SystemExit(0 if error < 1e-5 else 1)


if __name__ == "__main__":
    main()
