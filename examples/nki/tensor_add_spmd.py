"""An SPMD tensor add: kernel[n] launches n programs; program i (nl.program_id(0)) adds its
share of the rows. nsim runs program p on NeuronCore p % cores of the chip, all cores at once
sharing the chip's device memory, and merges what each program wrote.

Run:  PYTHONPATH=build/python /usr/bin/python3 -m nsim.nki --chip trn1 examples/nki/tensor_add_spmd.py
"""
import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def tensor_add(a, b):
    out = nl.ndarray(a.shape, a.dtype, buffer=nl.shared_hbm)
    P = nl.tile_size.pmax
    rows = a.shape[0] // nl.num_programs()
    for i in nl.affine_range(rows // P):
        r = nl.ds(nl.program_id(0) * rows + i * P, P)
        x = nl.ndarray((P, a.shape[1]), a.dtype, buffer=nl.sbuf)
        y = nl.ndarray((P, a.shape[1]), a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=x, src=a[r, :])
        nisa.dma_copy(dst=y, src=b[r, :])
        nisa.tensor_tensor(dst=x, data1=x, data2=y, op=nl.add)
        nisa.dma_copy(dst=out[r, :], src=x)
    return out


def main():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2048, 1024)).astype(np.float32)
    b = rng.standard_normal((2048, 1024)).astype(np.float32)
    ok = True
    for programs in (1, 2, 4):
        got = tensor_add[programs](a, b)
        report = nki.last_report()
        exact = np.array_equal(got, a + b)
        ok &= exact
        print(f"{programs} program(s) on {len(report['cores'])} core(s): "
              f"{report['time_ns'] / 1000:7.1f} us, {'exact' if exact else 'WRONG'}")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
