"""Fused single-head attention forward, O = softmax(Q K^T / sqrt(d)) V, for 128 queries at a time
over S keys, with nisa instructions only: the scores by the tensor engine into PSUM, the softmax
on the Scalar and Vector engines (row max, exp with the row sum, reciprocal), P transposed by the
tensor engine 128 keys at a time, P V accumulated in PSUM, and the 1/sum applied last.

Inputs in the layouts the tensor engine wants: qT [d, S] and kT [d, S] (d on the partitions, the
contraction of Q K^T), v [S, d]. d <= 128, S a multiple of 128 and at most 512 (one PSUM bank of
fp32 scores per query row).

Run:  PYTHONPATH=build/python /usr/bin/python3 -m nsim.nki examples/nki/attention_fwd.py
"""
import math
import warnings

import numpy as np

import nki
import nki.isa as nisa
import nki.language as nl


@nki.jit
def attention_fwd(qT, kT, v):
    d, S = qT.shape
    P = nl.tile_size.pmax
    out = nl.ndarray((S, d), nl.float32, buffer=nl.shared_hbm)
    k_sb = nl.ndarray((d, S), kT.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=k_sb, src=kT)
    v_sb = nl.ndarray((P, S // P, d), v.dtype, buffer=nl.sbuf)  # key block j on [:, j, :]
    nisa.dma_copy(dst=v_sb, src=v.ap([[d, P], [P * d, S // P], [1, d]]))
    for i in nl.affine_range(S // P):
        q_sb = nl.ndarray((d, P), qT.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=q_sb, src=qT[:, i * P:(i + 1) * P])
        scores = nl.ndarray((P, S), nl.float32, buffer=nl.psum)
        nisa.nc_matmul(scores, q_sb, k_sb)  # [queries, keys]
        neg_max = nl.ndarray((P, 1), nl.float32, buffer=nl.sbuf)
        nisa.tensor_reduce(dst=neg_max, op=nl.maximum, data=scores, axis=1, negate=True)
        nisa.tensor_scalar(dst=neg_max, data=neg_max, op0=nl.multiply,
                           operand0=1.0 / math.sqrt(d))
        probs = nl.ndarray((P, S), nl.float32, buffer=nl.sbuf)
        total = nl.ndarray((P, 1), nl.float32, buffer=nl.sbuf)
        nisa.activation(dst=probs, op=nl.exp, data=scores, bias=neg_max,
                        scale=1.0 / math.sqrt(d), reduce_op=nl.add, reduce_res=total)
        acc = nl.ndarray((P, d), nl.float32, buffer=nl.psum)
        for j in nl.affine_range(S // P):
            pT_psum = nl.ndarray((P, P), nl.float32, buffer=nl.psum)
            nisa.nc_transpose(dst=pT_psum, data=probs[:, j * P:(j + 1) * P])
            pT = nl.ndarray((P, P), nl.float32, buffer=nl.sbuf)  # [keys, queries]
            nisa.tensor_copy(dst=pT, src=pT_psum)
            nisa.nc_matmul(acc, pT, v_sb[:, j, :])
        inv = nl.ndarray((P, 1), nl.float32, buffer=nl.sbuf)
        nisa.reciprocal(dst=inv, data=total)
        o = nl.ndarray((P, d), nl.float32, buffer=nl.sbuf)
        nisa.tensor_scalar(dst=o, data=acc, op0=nl.multiply, operand0=inv)
        nisa.dma_copy(dst=out[i * P:(i + 1) * P, :], src=o)
    return out


def reference(qT, kT, v):
    q, k = qT.T.astype(np.float64), kT.T.astype(np.float64)
    s = q @ k.T / math.sqrt(q.shape[1])
    p = np.exp(s - s.max(axis=1, keepdims=True))
    return (p / p.sum(axis=1, keepdims=True)) @ v.astype(np.float64)


def main():
    rng = np.random.default_rng(0)
    d, S = 128, 512
    qT, kT = rng.standard_normal((2, d, S)).astype(np.float32)
    v = rng.standard_normal((S, d)).astype(np.float32)
    got = nki.simulate(attention_fwd)(qT, kT, v)
    error = np.abs(got - reference(qT, kT, v)).max()
    print(f"attention S={S} d={d} fp32: max abs error {error:.1e} "
          f"{'ok' if error < 1e-4 else 'FAILED'}")
    bench = nki.benchmark(warmup=1, iters=1)(attention_fwd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bench(qT, kT, v)
    report = nki.last_report()
    engines = report["engines"]
    print(f"attention S={S} d={d} fp32 (timing only): "
          f"{bench.benchmark_result.nc_latency.get_latency_percentile(50):.1f} us; busy: tensor "
          f"{100 * engines['tensor']['utilization']:.0f}%, scalar "
          f"{100 * engines['scalar']['utilization']:.0f}%, vector "
          f"{100 * engines['vector']['utilization']:.0f}%")
    raise SystemExit(0 if error < 1e-4 else 1)


if __name__ == "__main__":
    main()
