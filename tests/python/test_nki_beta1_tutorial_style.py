"""Beta 1 kernels in the style of the published NKI tutorials (tiled matmul with psum +=, a
masked add, the average pool over axis=[2, 4], the getting-started add storing into c_output
on a 2 x 2 grid, the 2-D transpose with arange indices, RMSNorm and layernorm with masks for a
ragged last tile), written apart from nsim.nki's own examples and run unmodified: each against
numpy."""
import math

import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl

RNG = np.random.default_rng(2)


@nki.jit
def nki_matmul_tiled_(lhsT, rhs):
    K, M = lhsT.shape
    K_, N = rhs.shape
    assert K == K_
    result = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    TILE_M = nl.tile_size.gemm_stationary_fmax
    TILE_K = nl.tile_size.pmax
    TILE_N = nl.tile_size.gemm_moving_fmax
    for m in nl.affine_range(M // TILE_M):
        for n in nl.affine_range(N // TILE_N):
            res_psum = nl.zeros((TILE_M, TILE_N), nl.float32, buffer=nl.psum)
            for k in nl.affine_range(K // TILE_K):
                lhsT_tile = nl.ndarray((TILE_K, TILE_M), dtype=lhsT.dtype, buffer=nl.sbuf)
                rhs_tile = nl.ndarray((TILE_K, TILE_N), dtype=rhs.dtype, buffer=nl.sbuf)
                lhsT_tile[...] = nl.load(lhsT[k * TILE_K:(k + 1) * TILE_K, m * TILE_M:(m + 1) * TILE_M])
                rhs_tile[...] = nl.load(rhs[k * TILE_K:(k + 1) * TILE_K, n * TILE_N:(n + 1) * TILE_N])
                res_psum += nl.matmul(lhsT_tile[...], rhs_tile[...], transpose_x=True)
            res_sb = nl.copy(res_psum, dtype=result.dtype)
            nl.store(result[m * TILE_M:(m + 1) * TILE_M, n * TILE_N:(n + 1) * TILE_N], value=res_sb)
    return result


@nki.jit
def add_masked(a_input, b_input):
    c_output = nl.ndarray(a_input.shape, dtype=a_input.dtype, buffer=nl.shared_hbm)
    M, N = a_input.shape
    for t in nl.affine_range((M + 127) // 128):
        i_p = t * 128 + nl.arange(128)[:, None]
        i_f = nl.arange(N)[None, :]
        a = nl.load(a_input[i_p, i_f], mask=(i_p < M))
        b = nl.load(b_input[i_p, i_f], mask=(i_p < M))
        c = a + b * 2.0
        nl.store(c_output[i_p, i_f], value=c, mask=(i_p < M))
    return c_output


@nki.jit
def avgpool(in_tensor, pool_size):
    sz_cin, sz_hin, sz_win = in_tensor.shape
    sz_hout, sz_wout = sz_hin // pool_size, sz_win // pool_size
    out_tensor = nl.ndarray((sz_cin, sz_hout, sz_wout), dtype=in_tensor.dtype, buffer=nl.shared_hbm)
    sz_p, sz_pool = sz_cin, pool_size
    i0, i1, i2, i3, i4 = nl.mgrid[0:sz_p, 0:sz_hin // sz_pool, 0:sz_pool, 0:sz_win // sz_pool, 0:sz_pool]
    in_tile = nl.load(in_tensor)
    out_tile = nl.sum(in_tile[i0, sz_pool * i1 + i2, sz_pool * i3 + i4], axis=[2, 4]) / (pool_size * pool_size)
    nl.store(out_tensor, value=out_tile)
    return out_tensor


@nki.jit
def nki_tensor_add_kernel_(a_input, b_input, c_output):
    offset_i_x = nl.program_id(0) * 128
    offset_i_y = nl.program_id(1) * 512
    ix = offset_i_x + nl.arange(128)[:, None]
    iy = offset_i_y + nl.arange(512)[None, :]
    a_tile = nl.load(a_input[ix, iy])
    b_tile = nl.load(b_input[ix, iy])
    c_tile = a_tile + b_tile
    nl.store(c_output[ix, iy], value=c_tile)


def tensor_transpose2D_kernel_(in_tensor, out_tensor, shape2D):
    sz_p, _ = in_tensor.shape
    sz_f1, sz_f2 = shape2D
    i_p0 = nl.arange(sz_p)[:, None, None]
    i_f0 = nl.arange(sz_f1)[None, :, None]
    i_f1 = nl.arange(sz_f2)[None, None, :]
    in_tile = nl.load(in_tensor[i_p0, i_f0 * sz_f2 + i_f1])
    out_tile = nl.ndarray([sz_p, sz_f2 * sz_f1], dtype=out_tensor.dtype)
    out_tile[i_p0, i_f1 * sz_f1 + i_f0] = nl.copy(in_tile[i_p0, i_f0, i_f1])
    nl.store(out_tensor, value=out_tile)


def exp_softmax(in_tensor, out_tensor):
    x = nl.load(in_tensor)
    m = nl.max(x, axis=[1], keepdims=True)
    e = nl.exp(x - m)
    s = nl.sum(e, axis=[1], keepdims=True)
    nl.store(out_tensor, value=e / s)


@nki.jit
def nki_rmsnorm_kernel(a_tensor, g_tensor):
    out_tensor = nl.ndarray(a_tensor.shape, dtype=a_tensor.dtype, buffer=nl.shared_hbm)
    assert a_tensor.shape[1] == g_tensor.shape[0]
    ix = nl.arange(128)[:, None]
    iw = nl.arange(1)[:, None]
    iy = nl.arange(a_tensor.shape[1])[None, :]
    num_rows = a_tensor.shape[0]
    g_tile = nl.load(g_tensor.reshape((1, g_tensor.shape[0]))[iw, iy])
    for i in nl.affine_range(math.ceil(a_tensor.shape[0] / 128)):
        a_tile = nl.load(a_tensor[i * 128 + ix, iy], mask=(i * 128 + ix < num_rows))
        in_square = nl.square(a_tile)
        square_sum = nl.sum(in_square, axis=[1])
        mean = square_sum / a_tensor.shape[1]
        rms_reciprocal = nl.rsqrt(mean)
        out_tile = nl.multiply(a_tile, rms_reciprocal)
        g_bcast = g_tile.broadcast_to((128, g_tensor.shape[0]))
        out_tile[...] = nl.multiply(out_tile, g_bcast, mask=(i * 128 + ix < num_rows))
        nl.store(out_tensor[i * 128 + ix, iy], value=out_tile, mask=(i * 128 + ix < num_rows))
    return out_tensor


@nki.jit
def layernorm(in_tensor, epsilon):
    out_tensor = nl.ndarray(in_tensor.shape, dtype=in_tensor.dtype, buffer=nl.shared_hbm)
    num_rows, n = in_tensor.shape
    i_p_io = nl.arange(nl.tile_size.pmax)[:, None]
    i_f_io = nl.arange(n)[None, :]
    for i in nl.affine_range(math.ceil(num_rows / nl.tile_size.pmax)):
        m = i * nl.tile_size.pmax + i_p_io < num_rows
        t = nl.load(in_tensor[i * nl.tile_size.pmax + i_p_io, i_f_io], mask=m)
        stats = nisa.bn_stats(t, mask=m, dtype=nl.float32)
        agg = nisa.bn_aggr(stats, mask=m, dtype=nl.float32)
        mean = agg[i_p_io, 0]
        var = agg[i_p_io, 1]
        rstd = nl.rsqrt(var + epsilon, mask=m)
        o = (t - mean) * rstd
        nl.store(out_tensor[i * nl.tile_size.pmax + i_p_io, i_f_io], value=o, mask=m)
    return out_tensor


def test_tiled_matmul_with_psum_accumulation_and_its_benchmark():
    a = RNG.standard_normal((256, 256), dtype=np.float32)
    b = RNG.standard_normal((256, 1024), dtype=np.float32)
    np.testing.assert_allclose(nki_matmul_tiled_(a, b), a.T @ b, rtol=1e-4, atol=1e-3)
    bench = nki.benchmark(warmup=2, iters=5)(nki_matmul_tiled_)
    bench(a, b)
    assert bench.benchmark_result.nc_latency.get_latency_percentile(50) > 0


def test_masked_add_of_a_ragged_last_tile():
    x = RNG.standard_normal((300, 64), dtype=np.float32)
    y = RNG.standard_normal((300, 64), dtype=np.float32)
    np.testing.assert_array_equal(add_masked(x, y), x + y * np.float32(2.0))


def test_average_pool_over_the_window_axes():
    img = RNG.standard_normal((64, 16, 16), dtype=np.float32)
    np.testing.assert_allclose(avgpool(img, 2), img.reshape(64, 8, 2, 8, 2).mean(axis=(2, 4)),
                               rtol=1e-5, atol=1e-6)


def test_outputs_given_as_arguments():
    a = RNG.standard_normal((256, 1024), dtype=np.float32)
    b = RNG.standard_normal((256, 1024), dtype=np.float32)
    c = np.zeros_like(a)
    nki.simulate_kernel(nki_tensor_add_kernel_[2, 2], a, b, c)
    np.testing.assert_array_equal(c, a + b)
    x = RNG.standard_normal((128, 12), dtype=np.float32)
    y = np.zeros_like(x)
    nki.simulate_kernel(tensor_transpose2D_kernel_, x, y, (3, 4))
    np.testing.assert_array_equal(y, x.reshape(128, 3, 4).transpose(0, 2, 1).reshape(128, 12))
    z = RNG.standard_normal((128, 64), dtype=np.float32)
    o = np.zeros_like(z)
    nki.baremetal(exp_softmax)(z, o)
    ez = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(o, ez / ez.sum(1, keepdims=True), rtol=1e-5, atol=1e-7)


def test_rmsnorm_and_layernorm_with_a_ragged_last_tile():
    a = RNG.standard_normal((250, 64), dtype=np.float32)
    g = RNG.standard_normal((64,), dtype=np.float32)
    np.testing.assert_allclose(nki_rmsnorm_kernel(a, g),
                               a / np.sqrt((a * a).mean(1, keepdims=True)) * g,
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        layernorm(a, 1e-5),
        (a - a.mean(1, keepdims=True)) / np.sqrt(a.var(1, keepdims=True) + 1e-5),
        rtol=1e-4, atol=1e-5)
