"""2-D average pooling in the NKI Beta 1 style: channels on the partitions, the pooling windows
addressed with nl.mgrid index algebra (a 5-D view of the tile, no copy), summed over the two
window axes with nl.sum and scaled.

Run:  PYTHONPATH=build/python /usr/bin/python3 -m nsim.nki examples/nki/beta1_avgpool.py
"""
import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.language as nl
import neuronxcc.nki.typing as nt


@nki.jit
def avg_pool(x, pool):
    C, H, W = x.shape
    Ho, Wo = H // pool, W // pool
    out = nl.ndarray((C, Ho, Wo), dtype=x.dtype, buffer=nl.shared_hbm)
    tile = nl.load(x)
    i_c, i_h, i_w, i_kh, i_kw = nl.mgrid[0:C, 0:Ho, 0:Wo, 0:pool, 0:pool]
    windows = tile[i_c, pool * i_h + i_kh, pool * i_w + i_kw]
    total = nl.sum(windows, axis=[3, 4])
    nl.store(out, value=total * (1.0 / (pool * pool)))
    return out


def reference(x, pool):
    C, H, W = x.shape
    return x.reshape(C, H // pool, pool, W // pool, pool).mean(axis=(2, 4))


def main():
    x = np.random.default_rng(0).standard_normal((64, 16, 24)).astype(np.float32)
    error = np.abs(avg_pool(x, 2) - reference(x, 2)).max()
    print(f"avg pool 64x16x24 by 2: max abs error {error:.1e} {'ok' if error < 1e-6 else 'FAILED'}")
    bench = nki.benchmark(warmup=1, iters=5)(avg_pool)
    bench(nt.tensor[[128, 64, 64], nl.float32], 4)
    print(f"avg pool 128x64x64 by 4 (nki.benchmark): "
          f"{bench.benchmark_result.nc_latency.get_latency_percentile(50):.1f} us")
    raise SystemExit(0 if error < 1e-6 else 1)


if __name__ == "__main__":
    main()
