"""Kernels in the current NKI API written in the style of the NKI ISA documentation's examples
(nl.ndarray buffers, nisa calls with dst first), apart from nsim.nki's own examples, run
unmodified on trn1 and inf2 against numpy: a softmax with activation's reduce, a matmul with an
eviction and a tensor-engine transpose, integer tensor_tensor and memset."""
import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl

RNG = np.random.default_rng(3)


@nki.jit
def softmax_kernel(x):
    P, F = x.shape
    out = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray((P, F), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    mx = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_reduce(dst=mx, op=nl.maximum, data=t, axis=1, keepdims=True)
    neg = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=neg, data=mx, op0=nl.multiply, operand0=-1.0)
    e = nl.ndarray((P, F), dtype=nl.float32, buffer=nl.sbuf)
    s = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.activation(dst=e, op=nl.exp, data=t, bias=neg, reduce_op=nl.add, reduce_res=s)
    r = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
    nisa.reciprocal(dst=r, data=s)
    o = nl.ndarray((P, F), dtype=x.dtype, buffer=nl.sbuf)
    nisa.tensor_scalar(dst=o, data=e, op0=nl.multiply, operand0=r)
    nisa.dma_copy(dst=out, src=o)
    return out


@nki.jit
def transpose_matmul(a, b):
    """c = a^T @ b in PSUM, evicted, and its transpose through the tensor engine."""
    K, M = a.shape
    N = b.shape[1]
    out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
    at = nl.ndarray((K, M), dtype=a.dtype, buffer=nl.sbuf)
    bt = nl.ndarray((K, N), dtype=b.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=at, src=a)
    nisa.dma_copy(dst=bt, src=b)
    ps = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=ps, stationary=at, moving=bt)
    res = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=res, src=ps)
    tp = nl.ndarray((N, M), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_transpose(dst=tp, data=res)
    tr = nl.ndarray((N, M), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=tr, src=tp)
    nisa.dma_copy(dst=out, src=res)
    out2 = nl.ndarray((N, M), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out2, src=tr)
    return out, out2


@nki.jit
def integer_arithmetic(x):
    P, F = x.shape
    out = nl.ndarray((P, F), dtype=nl.int32, buffer=nl.shared_hbm)
    t = nl.ndarray((P, F), dtype=nl.int32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    u = nl.ndarray((P, F), dtype=nl.int32, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=u, data1=t, data2=t, op=nl.add)
    v = nl.ndarray((P, F), dtype=nl.int32, buffer=nl.sbuf)
    nisa.memset(dst=v, value=3)
    w = nl.ndarray((P, F), dtype=nl.int32, buffer=nl.sbuf)
    nisa.tensor_tensor(dst=w, data1=u, data2=v, op=nl.subtract)
    nisa.dma_copy(dst=out, src=w)
    return out


@pytest.mark.parametrize("chip", ["trn1", "inf2"])
def test_documentation_style_kernels(chip, monkeypatch):
    monkeypatch.setenv("NSIM_CHIP", chip)
    x = RNG.standard_normal((128, 256)).astype(np.float32)
    e = np.exp(x - x.max(1, keepdims=True))
    np.testing.assert_allclose(softmax_kernel(x), e / e.sum(1, keepdims=True), rtol=1e-5,
                               atol=1e-7)
    a = RNG.standard_normal((128, 64)).astype(np.float32)
    b = RNG.standard_normal((128, 96)).astype(np.float32)
    c, ct = transpose_matmul(a, b)
    np.testing.assert_allclose(c, a.T @ b, rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(ct, c.T)
    xi = RNG.integers(-50, 50, (128, 32)).astype(np.int32)
    np.testing.assert_array_equal(integer_arithmetic(xi), 2 * xi - 3)
