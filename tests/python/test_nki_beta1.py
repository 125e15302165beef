"""nsim.nki's Beta 1 API (neuronxcc.nki): one test per lowering rule of docs/nki-beta1.md (the
instructions a call becomes, and its values against numpy), index expressions, masks, and the
errors at the kernel's own line."""
import inspect

import numpy as np
import pytest

import neuronxcc.nki as nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl
import neuronxcc.nki.typing as nt
import nsim.nki

RNG = np.random.default_rng(10)


def opcodes():
    """The opcodes of the last kernel, in order (after the header and tensor lines)."""
    lines = nsim.nki.last_kernel_text().splitlines()
    return [line.split()[0] for line in lines if line.split()[0] not in ("kernel", "target",
                                                                         "tensor")]


def line_of(fn, text):
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


def run(body, *arrays, out_shape=None, out_dtype=nl.float32):
    """A kernel storing body(*loaded tiles) into an output of out_shape."""
    def finish(value):
        out = nl.ndarray(out_shape or value.shape, dtype=out_dtype, buffer=nl.shared_hbm)
        nl.store(out, value)
        return out

    @nki.jit
    def one(a):
        return finish(body(nl.load(a)))

    @nki.jit
    def two(a, b):
        return finish(body(nl.load(a), nl.load(b)))
    return (one, two)[len(arrays) - 1](*arrays)


def test_two_tiles_are_one_tensor_tensor_and_a_column_one_tensor_scalar():
    a, b = RNG.standard_normal((2, 128, 64)).astype(np.float32)
    col = RNG.standard_normal((128, 1)).astype(np.float32)
    np.testing.assert_array_equal(run(lambda x, y: x + y, a, b), a + b)
    assert opcodes() == ["dma_copy", "dma_copy", "tensor_tensor", "dma_copy"]
    np.testing.assert_array_equal(run(lambda x, c: x - c, a, col), a - col)
    assert "tensor_scalar" in opcodes() and "tensor_tensor" not in opcodes()
    np.testing.assert_array_equal(run(lambda x: 3.0 - x, a), 3.0 - a)


def test_int32_operands_run_on_gpsimd():
    a, b = RNG.integers(-99, 99, (2, 128, 32)).astype(np.int32)
    np.testing.assert_array_equal(run(lambda x, y: x * y, a, b, out_dtype=nl.int32), a * b)
    assert "engine=gpsimd" in nsim.nki.last_kernel_text()


def test_division_is_a_reciprocal_and_a_multiply():
    a = RNG.standard_normal((128, 64)).astype(np.float32)
    b = RNG.uniform(1, 2, (128, 64)).astype(np.float32)
    np.testing.assert_allclose(run(lambda x, y: x / y, a, b), a / b, rtol=1e-6)
    assert opcodes()[2:4] == ["reciprocal", "tensor_tensor"]
    np.testing.assert_allclose(run(lambda x: x / 4.0, a), a / 4, rtol=1e-7)
    assert "operand0=0.25" in nsim.nki.last_kernel_text()


def test_activation_functions_are_one_activation():
    a = RNG.standard_normal((128, 64)).astype(np.float32)
    np.testing.assert_allclose(run(nl.exp, a), np.exp(a), rtol=1e-5)
    assert opcodes() == ["dma_copy", "activation", "dma_copy"]
    np.testing.assert_array_equal(run(nl.copy, a), a)
    assert opcodes()[1] == "tensor_copy"


def test_comparisons_give_bool_tiles():
    a, b = RNG.standard_normal((2, 128, 16)).astype(np.float32)
    got = run(lambda x, y: x > y, a, b, out_dtype=nl.uint8)
    np.testing.assert_array_equal(got, (a > b).astype(np.uint8))
    assert " bool " not in nsim.nki.last_kernel_text() and ".bool" in nsim.nki.last_kernel_text()


def test_type_promotion():
    from nsim.nki.lowering import promoted
    assert promoted(1.5, 2) == "float32"
    pairs = {("float16", "bfloat16"): "float32", ("int8", "uint8"): "int16",
             ("int32", "uint32"): "float32", ("float8_e4m3", "float8_e5m2"): "bfloat16",
             ("bfloat16", "int32"): "bfloat16", ("int8", "uint16"): "int32"}

    class Tile(nsim.nki.tensor.NkiTensor):
        def __init__(self, dtype):
            self.dtype = dtype
    for (x, y), want in pairs.items():
        assert promoted(Tile(x), Tile(y)) == want, (x, y)


def test_reductions_mean_and_softmax():
    a = RNG.standard_normal((128, 4, 32)).astype(np.float32)
    np.testing.assert_allclose(run(lambda x: nl.sum(x, axis=[1, 2]), a),
                               a.sum(axis=(1, 2))[:, None], rtol=1e-5, atol=1e-4)
    assert opcodes()[1] == "tensor_reduce"
    np.testing.assert_allclose(run(lambda x: nl.max(x, axis=2), a, out_shape=(128, 4)),
                               a.max(axis=2))
    np.testing.assert_allclose(run(lambda x: nl.mean(x, axis=[1, 2]), a),
                               a.mean(axis=(1, 2))[:, None], rtol=1e-5, atol=1e-6)
    assert opcodes()[1:3] == ["tensor_reduce", "tensor_scalar"]
    s = a[:, 0, :]
    e = np.exp(s - s.max(axis=1, keepdims=True))
    np.testing.assert_allclose(run(lambda x: nl.softmax(x, axis=1), s),
                               e / e.sum(axis=1, keepdims=True), rtol=1e-5)
    assert opcodes()[1:5] == ["tensor_reduce", "activation", "reciprocal", "tensor_scalar"]

    # Free axes that are not trailing (an average pool's window axes): the view's strides are
    # reordered, still one tensor_reduce; the kept axes stay in order.
    b = RNG.standard_normal((64, 3, 2, 5, 2)).astype(np.float32)
    np.testing.assert_allclose(run(lambda x: nl.sum(x, axis=[2, 4]), b, out_shape=(64, 3, 5)),
                               b.sum(axis=(2, 4)), rtol=1e-5, atol=1e-5)
    assert opcodes()[1] == "tensor_reduce"
    np.testing.assert_allclose(run(lambda x: nl.mean(x, axis=[1, 3]), b, out_shape=(64, 2, 2)),
                               b.mean(axis=(1, 3)), rtol=1e-5, atol=1e-6)


def test_var_and_rms_norm():
    a = RNG.standard_normal((128, 700)).astype(np.float32)
    np.testing.assert_allclose(run(lambda x: nl.var(x, axis=1), a), a.var(axis=1)[:, None],
                               rtol=1e-5)
    assert opcodes()[1:4] == ["bn_stats", "bn_stats", "bn_aggr"]
    w = RNG.standard_normal((1, 700)).astype(np.float32)
    want = a / np.sqrt((a.astype(np.float64) ** 2).sum(axis=1, keepdims=True) / 700 + 1e-6) * w
    np.testing.assert_allclose(run(lambda x, g: nl.rms_norm(x, g, axis=1, n=700), a, w), want,
                               rtol=1e-4, atol=1e-5)
    assert opcodes()[2:6] == ["activation", "tensor_scalar", "activation", "tensor_scalar"]


def test_matmul_without_transpose_x_transposes_first():
    x = RNG.integers(-8, 8, (64, 96)).astype(np.float32)
    y = RNG.integers(-8, 8, (96, 48)).astype(np.float32)
    np.testing.assert_array_equal(run(lambda a, b: nl.matmul(a, b), x, y), x @ y)
    assert opcodes()[2:5] == ["nc_transpose", "tensor_copy", "nc_matmul"]
    np.testing.assert_array_equal(run(lambda a: nl.transpose(a), x), x.T)
    assert "nc_transpose dst=psum" in nsim.nki.last_kernel_text()


def test_psum_accumulation_group():
    @nki.jit
    def kernel(lhsT, rhs):
        out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
        acc = nl.zeros((128, 64), nl.float32, buffer=nl.psum)
        for k in nl.affine_range(3):
            acc += nl.matmul(nl.load(lhsT[k * 128:(k + 1) * 128, :]),
                             nl.load(rhs[k * 128:(k + 1) * 128, :]), transpose_x=True)
        acc[...] += nisa.nc_matmul(nl.load(lhsT[0:128, :]), nl.load(rhs[0:128, :]))
        nl.store(out, acc)
        return out
    lhsT = RNG.integers(-8, 8, (384, 128)).astype(np.float32)
    rhs = RNG.integers(-8, 8, (384, 64)).astype(np.float32)
    np.testing.assert_array_equal(kernel(lhsT, rhs), lhsT.T @ rhs + lhsT[:128].T @ rhs[:128])
    flags = [line.split("accumulate=")[1] for line in nsim.nki.last_kernel_text().splitlines()
             if line.startswith("nc_matmul")]
    assert flags == ["false", "true", "true", "true"]


def test_psum_add_after_other_writes_keeps_the_sum():
    """acc += r with r not fresh is a Vector add; a later acc += nl.matmul(...) must still add
    (not start a new group over the sum)."""
    @nki.jit
    def kernel(lhsT, rhs):
        out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
        acc = nl.zeros((128, 64), nl.float32, buffer=nl.psum)
        a, b = nl.load(lhsT), nl.load(rhs)
        r = nl.matmul(a, b, transpose_x=True)
        nl.exp(a)
        acc += r
        acc += nl.matmul(a, b, transpose_x=True)
        nl.store(out, acc)
        return out
    lhsT = RNG.integers(-8, 8, (128, 128)).astype(np.float32)
    rhs = RNG.integers(-8, 8, (128, 64)).astype(np.float32)
    np.testing.assert_array_equal(kernel(lhsT, rhs), 2 * (lhsT.T @ rhs))


def test_matmul_mask_cuts_m_and_n():
    @nki.jit
    def kernel(lhsT, rhs):
        K, M = lhsT.shape
        N = rhs.shape[1]
        out = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)
        i_k, i_m = nl.arange(128)[:, None], nl.arange(128)[None, :]
        i_p, i_n = nl.arange(128)[:, None], nl.arange(256)[None, :]
        a = nl.load(lhsT[i_k, i_m], mask=(i_m < M))
        b = nl.load(rhs[i_k, i_n], mask=(i_n < N))
        acc = nl.zeros((128, 256), nl.float32, buffer=nl.psum)
        acc[i_p, i_n] += nl.matmul(a, b, transpose_x=True, mask=(i_p < M) & (i_n < N))
        nl.store(out[i_p, i_n], value=acc, mask=(i_p < M) & (i_n < N))
        return out
    lhsT = RNG.integers(-8, 8, (128, 100)).astype(np.float32)
    rhs = RNG.integers(-8, 8, (128, 200)).astype(np.float32)
    np.testing.assert_array_equal(kernel(lhsT, rhs), lhsT.T @ rhs)
    line = next(x for x in nsim.nki.last_kernel_text().splitlines() if x.startswith("nc_matmul"))
    assert "psum[0:100]" in line and "{[1,100]}" in line and "{[1,200]}" in line


def test_partition_broadcast_is_a_ones_matmul():
    g = RNG.standard_normal((1, 600)).astype(np.float32)
    x = RNG.standard_normal((128, 600)).astype(np.float32)
    np.testing.assert_array_equal(run(lambda a, b: b * a.broadcast_to((128, 600)), g, x), x * g)
    assert opcodes()[2:] == ["memset", "nc_matmul", "tensor_copy", "nc_matmul", "tensor_copy",
                             "tensor_tensor", "dma_copy"]


def test_assignment_retargets_the_instruction_or_copies():
    a = RNG.standard_normal((128, 32)).astype(np.float32)

    @nki.jit
    def kernel(x):
        out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
        t = nl.ndarray((128, 64), dtype=nl.float32)
        tile = nl.load(x)
        t[:, 0:32] = nl.exp(tile)
        t[:, 32:64] = tile
        nl.store(out, t)
        return out
    np.testing.assert_allclose(kernel(a), np.hstack([np.exp(a), a]), rtol=1e-5)
    assert opcodes() == ["dma_copy", "activation", "tensor_copy", "dma_copy"]


def test_load_transpose2d_and_load_with_dtype():
    a = RNG.standard_normal((100, 70)).astype(np.float32)
    np.testing.assert_array_equal(
        run(lambda x: x, a, out_shape=(100, 70)), a)

    @nki.jit
    def kernel(x):
        out = nl.ndarray((70, 100), dtype=nl.float16, buffer=nl.shared_hbm)
        nl.store(out, nl.load_transpose2d(x, dtype=nl.float16))
        return out
    np.testing.assert_array_equal(kernel(a), a.T.astype(np.float16))
    assert "src=x[0:1]@0.f32{[1,70],[70,100]}" in nsim.nki.last_kernel_text()


def test_arange_and_mgrid_views():
    @nki.jit
    def kernel(x):
        out = nl.ndarray((64, 8), dtype=x.dtype, buffer=nl.shared_hbm)
        i_p, i_f = nl.mgrid[0:64, 0:8]
        tile = nl.load(x[2 * i_p + 1, 3 * i_f])  # odd rows, every third column
        nl.store(out[i_p, i_f], value=tile)
        return out
    x = RNG.standard_normal((128, 24)).astype(np.float32)
    np.testing.assert_array_equal(kernel(x), x[1::2, ::3])


def test_mask_cuts_the_instructions_to_a_box():
    @nki.jit
    def kernel(x):
        out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
        i_p, i_f = nl.arange(128)[:, None], nl.arange(64)[None, :]
        t = nl.load(x[i_p, i_f], mask=(i_p < 100) & (i_f >= 8))
        nl.store(out[i_p, i_f], value=nl.exp(t, mask=(i_p < 100) & (i_f >= 8)),
                 mask=(i_p < 100) & (i_f >= 8) & (i_f < 60))
        return out
    x = RNG.standard_normal((128, 64)).astype(np.float32)
    got = kernel(x)
    np.testing.assert_allclose(got[:100, 8:60], np.exp(x[:100, 8:60]), rtol=1e-5)
    assert "dst=t" in nsim.nki.last_kernel_text().splitlines()[-1]
    assert "[0:100]@32.f32{[1,52]}" in nsim.nki.last_kernel_text().splitlines()[-1]


def test_empty_mask_drops_the_instruction():
    @nki.jit
    def kernel(x):
        out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
        i_p, i_f = nl.arange(128)[:, None], nl.arange(8)[None, :]
        t = nl.load(x)
        nl.store(out[i_p, i_f], value=t, mask=(i_p + 128 < 100))
        nl.store(out, value=t)
        return out
    kernel(np.zeros((128, 8), np.float32))
    assert opcodes() == ["dma_copy", "dma_copy"]


def test_index_and_mask_errors_at_the_kernel_line():
    @nki.jit
    def out_of_bounds(x):
        i_p, i_f = nl.arange(128)[:, None], nl.arange(8)[None, :]
        nl.load(x[i_p + 64, i_f])
    with pytest.raises(nsim.nki.NkiError, match="err_tensor_access_out_of_bound") as e:
        out_of_bounds(np.zeros((128, 8), np.float32))
    assert e.value.line == line_of(out_of_bounds.fn, "nl.load")

    @nki.jit
    def non_affine(x):
        i_p, i_f = nl.arange(128)[:, None], nl.arange(8)[None, :]
        nl.load(x[i_p, i_f], mask=(i_p * i_f < 5))
    with pytest.raises(nsim.nki.NkiError, match="err_unsupported_expression_in_mask") as e:
        non_affine(np.zeros((128, 8), np.float32))
    assert e.value.line == line_of(non_affine.fn, "mask=")

    @nki.jit
    def one_d(x):
        nl.load(x[nl.arange(128), 0])
    with pytest.raises(nsim.nki.NkiError, match="err_1d_arange_not_supported"):
        one_d(np.zeros((128, 8), np.float32))

    @nki.jit
    def mixed(x):
        nl.load(x[nl.arange(128)[:, None], 0:8])
    with pytest.raises(nsim.nki.NkiError, match="mixing_basic_advanced"):
        mixed(np.zeros((128, 8), np.float32))

    @nki.jit
    def truth(x):
        if nl.load(x):
            pass
    with pytest.raises(nsim.nki.NkiError, match="ambiguous_tensor_truth_value"):
        truth(np.zeros((128, 8), np.float32))

    @nki.jit
    def triangle(x):
        i_p, i_f = nl.arange(128)[:, None], nl.arange(8)[None, :]
        nl.load(x[i_p, i_f], mask=(i_f < i_p))
    with pytest.raises(NotImplementedError, match=r"test_nki_beta1.py:\d+: a mask comparing"):
        triangle(np.zeros((128, 8), np.float32))


def test_unlowered_calls_raise_not_implemented_naming_them():
    @nki.jit
    def kernel(x):
        t = nl.load(x)
        return nl.sin(t)
    with pytest.raises(NotImplementedError, match=r"test_nki_beta1.py:\d+: nl.sin is not "):
        kernel(np.zeros((128, 8), np.float32))
    for call in (lambda: nl.fmod(None, None), lambda: nisa.sequence_bounds(segment_ids=None),
                 lambda: nl.gather_flattened(None, None)):
        with pytest.raises(NotImplementedError, match="is not implemented by nsim.nki"):
            call()


def test_par_dim_block_tensors():
    @nki.jit
    def kernel(x):
        out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
        blocks = nl.ndarray((2, nl.par_dim(128), 16), dtype=x.dtype)
        for b in nl.affine_range(2):
            blocks[b, :, :] = nl.load(x[b * 128:(b + 1) * 128, :])
        for b in nl.affine_range(2):
            nl.store(out[b * 128:(b + 1) * 128, :], blocks[b] * 2.0)
        return out
    x = RNG.standard_normal((256, 16)).astype(np.float32)
    np.testing.assert_array_equal(kernel(x), 2 * x)

    @nki.jit
    def unindexed(x):
        blocks = nl.ndarray((2, nl.par_dim(128), 16), dtype=x.dtype)
        nl.exp(blocks)
    with pytest.raises(nsim.nki.NkiError, match="err_failed_to_infer_tile"):
        unindexed(np.zeros((1, 1), np.float32))


def test_iota_and_affine_select_from_expressions():
    @nki.jit
    def kernel(x):
        out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
        i_p, i_f = nl.mgrid[0:128, 0:64]
        idx = nisa.iota(i_p * 64 + 2 * i_f, dtype=nl.float32)
        causal = nisa.affine_select(i_p >= i_f, nl.load(x), -1.0)
        nl.store(out, idx + causal)
        return out
    x = RNG.standard_normal((128, 64)).astype(np.float32)
    p, f = np.mgrid[0:128, 0:64]
    want = (p * 64 + 2 * f).astype(np.float32) + np.where(p >= f, x, np.float32(-1))
    np.testing.assert_array_equal(kernel(x), want)


def test_benchmark_forms_and_placeholders():
    def add(a, b):
        out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
        nl.store(out, nl.load(a) + nl.load(b))
        return out
    direct = nki.benchmark(add, warmup=1, iters=2)
    decorated = nki.benchmark(warmup=1, iters=2)(nki.jit(add))
    args = (nt.tensor[[128, 512], nl.bfloat16], nt.tensor[[128, 512], nl.bfloat16])
    assert direct(*args) is not None
    decorated(*args)
    latency = [k.benchmark_result.nc_latency.get_latency_percentile(p)
               for k in (direct, decorated) for p in (1, 50, 99)]
    assert len(set(latency)) == 1 and 0.5 < latency[0] < 100
    with pytest.raises(ValueError, match="percentile 42"):
        direct.benchmark_result.nc_latency.get_latency_percentile(42)
    with pytest.raises(nsim.nki.NkiError, match="placeholder without values"):
        nki.simulate_kernel(nki.jit(add), *args)
    x = np.ones((128, 8), np.float32)
    np.testing.assert_array_equal(nki.baremetal(save_neff_name="a.neff")(add)(x, x), 2 * x)
    np.testing.assert_array_equal(nki.jit(add, mode="baremetal")(x, x), 2 * x)


def test_two_dimensional_spmd_grid():
    """Beta 1's getting-started form: program_id(0) and program_id(1) pick the tile."""
    @nki.jit
    def add(a_input, b_input):
        c_output = nl.ndarray(a_input.shape, dtype=a_input.dtype, buffer=nl.shared_hbm)
        ix = nl.program_id(0) * 128 + nl.arange(128)[:, None]
        iy = nl.program_id(1) * 64 + nl.arange(64)[None, :]
        nl.store(c_output[ix, iy], value=nl.load(a_input[ix, iy]) + nl.load(b_input[ix, iy]))
        return c_output
    a = RNG.integers(-99, 99, (256, 192)).astype(np.int32)
    b = RNG.integers(-99, 99, (256, 192)).astype(np.int32)
    np.testing.assert_array_equal(add[2, 3](a, b), a + b)


def test_output_as_argument_with_a_launch_grid_through_simulate_kernel():
    """The older getting-started form: the kernel stores into its `c_output` argument and
    returns nothing; nki.simulate_kernel(kernel[grid], a, b, c) fills the caller's c."""
    @nki.jit
    def add(a_input, b_input, c_output):
        ix = nl.program_id(0) * 128 + nl.arange(128)[:, None]
        iy = nl.program_id(1) * 64 + nl.arange(64)[None, :]
        nl.store(c_output[ix, iy], value=nl.load(a_input[ix, iy]) + nl.load(b_input[ix, iy]))
    a = RNG.integers(-99, 99, (256, 128)).astype(np.int32)
    b = RNG.integers(-99, 99, (256, 128)).astype(np.int32)
    c = np.zeros_like(a)
    assert nki.simulate_kernel(add[2, 2], a, b, c) is None
    np.testing.assert_array_equal(c, a + b)


def test_numpy_operator_spellings_and_zeroed_block_tensors():
    @nki.jit
    def kernel(x):
        out = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.shared_hbm)
        acc = nl.zeros((2, nl.par_dim(128), 8), nl.float32)
        acc[1] = nisa.tensor_tensor(nl.load(x), acc[0], op=np.add)
        nl.store(out, nisa.tensor_reduce(np.max, acc[1], axis=(1,)))
        return out
    x = RNG.standard_normal((128, 8)).astype(np.float32)
    np.testing.assert_array_equal(kernel(x), x.max(axis=1, keepdims=True))


def test_where_invert_and_expand_dims():
    a, b = RNG.standard_normal((2, 128, 16)).astype(np.float32)
    np.testing.assert_array_equal(run(lambda x, y: nl.where(x > y, x, y), a, b), np.maximum(a, b))
    assert opcodes()[2:5] == ["tensor_tensor", "tensor_copy", "tensor_copy_predicated"]
    i = RNG.integers(0, 1 << 20, (128, 16)).astype(np.int32)
    np.testing.assert_array_equal(run(nl.invert, i, out_dtype=nl.int32), ~i)
    np.testing.assert_allclose(
        run(lambda x: nl.expand_dims(nl.sum(x, axis=1), 2), a, out_shape=(128, 1, 1)),
        a.sum(axis=1).reshape(128, 1, 1), rtol=1e-5, atol=1e-5)


@nki.benchmark(warmup=5, iters=10)
@nki.jit
def _tutorial_add(a_tensor, b_tensor):
    c_tensor = nl.ndarray(a_tensor.shape, dtype=a_tensor.dtype, buffer=nl.shared_hbm)
    grid = nl.mgrid[0:128, 0:a_tensor.shape[1]]
    for t in nl.static_range(2):
        a_tile = nl.load(a_tensor[t * 128 + grid.p, grid.x])
        b_tile = nl.load(b_tensor[t * 128 + grid.p, grid.x])
        c_tile = nisa.tensor_scalar(nl.add(a_tile, b_tile), np.multiply, 2.0)
        nl.store(c_tensor[t * 128 + grid.p, grid.x], value=c_tile)
    return c_tensor


def test_benchmark_decorator_over_jit_with_mgrid_attributes():
    _tutorial_add(nt.tensor[[256, 1024], nl.float32], nt.tensor[[256, 1024], nl.float32])
    us = _tutorial_add.benchmark_result.nc_latency.get_latency_percentile(99)
    assert 1 < us < 1000
    x = RNG.standard_normal((256, 64)).astype(np.float32)
    np.testing.assert_array_equal(nki.simulate_kernel(_tutorial_add, x, x), 4 * x)


def test_causal_attention_head_in_beta1_style():
    """Many rules at once: load_transpose2d, matmul with transpose_x, a scale, an affine_select
    causal mask from mgrid, nl.softmax, nl.transpose, a second matmul."""
    @nki.jit
    def attention(q, k, v):
        S, d = q.shape
        out = nl.ndarray((S, d), dtype=nl.float32, buffer=nl.shared_hbm)
        scores = nl.matmul(nl.load_transpose2d(q), nl.load_transpose2d(k), transpose_x=True)
        i_q, i_k = nl.mgrid[0:S, 0:S]
        masked = nisa.affine_select(i_q >= i_k, scores * (1.0 / np.sqrt(d)), -30000.0)
        probs_t = nl.copy(nl.transpose(nl.softmax(masked, axis=1)))
        nl.store(out, nl.matmul(probs_t, nl.load(v), transpose_x=True))
        return out
    q, k, v = RNG.standard_normal((3, 128, 64)).astype(np.float32)
    s = np.where(np.tri(128, dtype=bool), q @ k.T / 8.0, -np.inf)
    p = np.exp(s - s.max(axis=1, keepdims=True))
    np.testing.assert_allclose(attention(q, k, v), (p / p.sum(axis=1, keepdims=True)) @ v,
                               rtol=1e-4, atol=1e-5)


def test_compiler_directives_do_nothing_and_direct_allocation_says_so():
    import neuronxcc.nki.compiler as ncc

    @ncc.skip_middle_end_transformations
    @nki.jit
    def kernel(x):
        out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.shared_hbm)
        with ncc.allocation_scope():
            t = nl.ndarray(x.shape, dtype=x.dtype, buffer=ncc.sbuf.auto_alloc())
            t[...] = nl.load(x)
        nl.store(out, t)
        return out
    x = RNG.standard_normal((128, 8)).astype(np.float32)
    np.testing.assert_array_equal(kernel(x), x)
    with pytest.raises(NotImplementedError, match="ncc.sbuf.mod_alloc .direct allocation."):
        ncc.sbuf.mod_alloc(base_addr=0)


def test_beta1_forms_of_the_later_instructions_return_tiles():
    """Beta 1's call forms of max8, nc_find_index8, tensor_partition_reduce, activation_reduce,
    tensor_scalar_reduce and dropout: each returns its result as a new tile."""
    x = RNG.permutation(128 * 16).astype(np.float32).reshape(128, 16)

    @nki.jit
    def kernel(a):
        t = nl.load(a)
        top = nisa.max8(src=t)
        where = nisa.nc_find_index8(data=t, vals=top)
        column_sums = nisa.tensor_partition_reduce(nl.add, t)
        row_sums = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.sbuf)
        doubled = nisa.activation_reduce(nl.copy, t, reduce_op=nl.add, reduce_res=row_sums,
                                         scale=2.0)
        row_max = nl.ndarray((128, 1), dtype=nl.float32, buffer=nl.sbuf)
        plus = nisa.tensor_scalar_reduce(data=t, op0=nl.add, operand0=1.0, reduce_op=nl.maximum,
                                         reduce_res=row_max)
        kept = nisa.dropout(t, 0.0)
        outs = [nl.ndarray(v.shape, dtype=v.dtype, buffer=nl.shared_hbm)
                for v in (top, where, column_sums, row_sums, doubled, row_max, plus, kept)]
        for o, v in zip(outs, (top, where, column_sums, row_sums, doubled, row_max, plus, kept)):
            nl.store(o, v)
        return tuple(outs)

    top, where, column_sums, row_sums, doubled, row_max, plus, kept = kernel(x)
    expected_top = -np.sort(-x, axis=1)[:, :8]
    np.testing.assert_array_equal(top, expected_top)
    np.testing.assert_array_equal(np.take_along_axis(x, where.astype(np.int64), axis=1),
                                  expected_top)
    np.testing.assert_array_equal(column_sums, x.sum(axis=0, keepdims=True))
    np.testing.assert_allclose(row_sums, 2 * x.sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(doubled, 2 * x)
    np.testing.assert_array_equal(row_max, x.max(axis=1, keepdims=True) + 1)
    np.testing.assert_array_equal(plus, x + 1)
    np.testing.assert_array_equal(kept, x)
