"""nsim.nki: NKI kernels (nisa instructions, nl.ndarray buffers) against numpy, and the errors
NKI gives, at the kernel's own lines."""
import inspect
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl
import nsim.nki


def line_of(fn, text):
    """The file line of the first line of `fn` containing `text`."""
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


@nki.jit
def scale_add(a, b, factor):
    """out = a * factor + b, tile by tile over the rows."""
    out = nl.ndarray(a.shape, a.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(a.shape[0] // nl.tile_size.pmax):
        rows = nl.ds(i * nl.tile_size.pmax, nl.tile_size.pmax)
        x = nl.ndarray((nl.tile_size.pmax, a.shape[1]), a.dtype, buffer=nl.sbuf)
        y = nl.ndarray((nl.tile_size.pmax, a.shape[1]), a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=x, src=a[rows, :])
        nisa.dma_copy(dst=y, src=b[rows, :])
        nisa.tensor_scalar(dst=x, data=x, op0=nl.multiply, operand0=factor)
        nisa.tensor_tensor(dst=y, data1=x, data2=y, op=nl.add)
        nisa.dma_copy(dst=out[rows, :], src=y)
    return out


def test_elementwise_kernel_is_exact_for_integers():
    rng = np.random.default_rng(2)
    a = rng.integers(-1000, 1000, (256, 64)).astype(np.int32)
    b = rng.integers(-1000, 1000, (256, 64)).astype(np.int32)
    np.testing.assert_array_equal(scale_add(a, b, 3), a * 3 + b)
    report = nsim.nki.last_report()
    assert report["engines"]["vector"]["instructions"] == 4 and report["time_ns"] > 0


@nki.jit
def row_softmax(x):
    """Softmax of each row: max, exp(x - max) with its sum, divide."""
    out = nl.ndarray(x.shape, x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    neg_max = nl.ndarray((x.shape[0], 1), nl.float32, buffer=nl.sbuf)
    nisa.tensor_reduce(dst=neg_max, op=nl.maximum, data=t, axis=1, negate=True)
    total = nl.ndarray((x.shape[0], 1), nl.float32, buffer=nl.sbuf)
    nisa.activation(dst=t, op=nl.exp, data=t, bias=neg_max, reduce_op=nl.add, reduce_res=total)
    inv = nl.ndarray((x.shape[0], 1), nl.float32, buffer=nl.sbuf)
    nisa.reciprocal(dst=inv, data=total)
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=inv)
    nisa.dma_copy(dst=out, src=t)
    return out


def test_softmax_kernel_within_tolerance():
    x = np.random.default_rng(3).standard_normal((128, 300)).astype(np.float32)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(row_softmax(x), e / e.sum(axis=1, keepdims=True), rtol=1e-5)


@nki.jit
def transpose_via_pe(x):
    """x [P, F] -> [F, P] through the tensor engine and PSUM."""
    out = nl.ndarray((x.shape[1], x.shape[0]), x.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(x.shape, x.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    p = nl.ndarray((x.shape[1], x.shape[0]), nl.float32, buffer=nl.psum)
    nisa.nc_transpose(dst=p, data=t)
    s = nl.ndarray((x.shape[1], x.shape[0]), x.dtype, buffer=nl.sbuf)
    nisa.tensor_copy(dst=s, src=p)
    nisa.dma_copy(dst=out, src=s)
    return out


def test_transpose_and_trn2():
    x = np.random.default_rng(4).standard_normal((96, 64)).astype(np.float32)
    nsim.nki.settings.chip = "trn2"
    np.testing.assert_array_equal(transpose_via_pe(x), x.T)
    assert nsim.nki.last_report()["chip"] == "trn2"


def test_accumulation_groups_follow_first_write():
    """accumulate=None: the first matmul into a PSUM tile overwrites, later ones add; a tile
    allocated again (next loop iteration) starts a new group."""
    @nki.jit
    def two_groups(a, b):
        out = nl.ndarray((2, 128, 128), nl.float32, buffer=nl.shared_hbm)
        sa = nl.ndarray((128, 128), nl.float32, buffer=nl.sbuf)
        sb = nl.ndarray((128, 128), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=sa, src=a)
        nisa.dma_copy(dst=sb, src=b)
        for g in range(2):
            acc = nl.ndarray((128, 128), nl.float32, buffer=nl.psum)
            for _ in range(g + 2):
                nisa.nc_matmul(acc, sa, sb)
            r = nl.ndarray((128, 128), nl.float32, buffer=nl.sbuf)
            nisa.tensor_copy(dst=r, src=acc)
            nisa.dma_copy(dst=out[g], src=r)
        return out
    a = np.random.default_rng(5).integers(-4, 4, (128, 128)).astype(np.float32)
    b = np.random.default_rng(6).integers(-4, 4, (128, 128)).astype(np.float32)
    got = two_groups(a, b)
    np.testing.assert_array_equal(got[0], 2 * (a.T @ b))
    np.testing.assert_array_equal(got[1], 3 * (a.T @ b))


def test_bf16_input_through_nki_array():
    @nki.jit
    def copy(x):
        out = nl.ndarray(x.shape, nl.float32, buffer=nl.shared_hbm)
        t = nl.ndarray(x.shape, nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x)  # a DMA converts bf16 -> fp32 exactly
        nisa.dma_copy(dst=out, src=t)
        return out
    x = nsim.nki.array([[1.0, 1.00390625, 3.14159]], dtype=nl.bfloat16)
    assert x.values[0, 1] == 1.0
    np.testing.assert_array_equal(copy(x), x.values)


def test_shape_error_at_the_kernel_line():
    @nki.jit
    def too_tall(a):
        t = nl.ndarray((256, 4), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a)
        return None
    with pytest.raises(nsim.nki.NkiError, match="partition dimension 256 exceeds maximum 128") \
            as e:
        too_tall(np.zeros((256, 4), np.float32))
    assert (e.value.file, e.value.line) == (__file__, line_of(test_shape_error_at_the_kernel_line,
                                                              "(256, 4)"))


def test_verifier_error_maps_to_the_kernel_line():
    @nki.jit
    def bad_start(a):
        out = nl.ndarray((64, 8), nl.float32, buffer=nl.shared_hbm)
        t = nl.ndarray((128, 8), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=nl.ndarray((128, 8), nl.float32, buffer=nl.hbm))
        nisa.tensor_copy(dst=t[16:80, :], src=t[0:64, :])
        nisa.dma_copy(dst=out, src=t[0:64, :])
        return out
    with pytest.raises(nsim.nki.NkiError, match="nisa.tensor_copy") as e:
        bad_start(np.zeros((1, 1), np.float32))
    assert e.value.line == line_of(test_verifier_error_maps_to_the_kernel_line, "t[16:80")


def test_sbuf_full_names_the_allocation_line():
    @nki.jit
    def hog(a):
        out = nl.ndarray((128, 1), nl.float32, buffer=nl.shared_hbm)
        tiles = []
        for i in range(4):
            t = nl.ndarray((128, 16384), nl.float32, buffer=nl.sbuf)  # 64 KiB per partition
            nisa.memset(dst=t, value=0.0)
            tiles.append(t)
        for t in tiles:  # all four live at once: 256 KiB > 192 KiB
            nisa.dma_copy(dst=out, src=t[:, 0:1])
        return out
    with pytest.raises(nsim.nki.NkiError, match="SBUF full") as e:
        hog(np.zeros((128, 1), np.float32))
    assert e.value.line == line_of(test_sbuf_full_names_the_allocation_line, "16384")


def test_unsupported_calls_say_so():
    @nki.jit
    def uses_topk(a):
        t = nl.ndarray((128, 8), nl.float32, buffer=nl.sbuf)
        nisa.topk(t, t, t, 8)
        return None
    with pytest.raises(NotImplementedError, match=r"test_nki.py:\d+: nisa.topk is not implemented"):
        uses_topk(np.zeros((1, 1), np.float32))
    with pytest.raises(NotImplementedError, match="nl.gather_flattened"):
        nl.gather_flattened(None, None)
    with pytest.raises(NotImplementedError, match="SPMD launch"):
        scale_add[2, 2, 2, 2]


def test_a_kernel_that_stores_into_its_argument_updates_the_callers_array():
    """Beta 1 kernels often take their output as an argument (`c_output`) and return nothing:
    the caller's array gets the results, the rows the kernel does not write keep their values,
    and an argument only read is left alone."""
    @nki.jit
    def add_rows(a, c):
        t = nl.ndarray((2, 4), a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a[0:2, :])
        nisa.tensor_scalar(dst=t, data=t, op0=nl.add, operand0=10.0)
        nisa.dma_copy(dst=c[1:3, :], src=t)
    a = np.arange(16, dtype=np.float32).reshape(4, 4)
    c = np.full((4, 4), -1.0, np.float32)
    assert add_rows(a, c) is None
    expected = np.full((4, 4), -1.0, np.float32)
    expected[1:3] = a[0:2] + 10
    np.testing.assert_array_equal(c, expected)
    np.testing.assert_array_equal(a, np.arange(16, dtype=np.float32).reshape(4, 4))


def test_rotation_lets_iterations_overlap():
    """Two buffers per allocation site: the loads of the next k step need not wait for the
    matmul reading the previous tiles, so the naive matmul runs much faster than with one."""
    import matmul_steps
    lhsT = nsim.nki.placeholder((1024, 512), nl.bfloat16)
    rhs = nsim.nki.placeholder((1024, 1024), nl.bfloat16)
    times = {}
    for rotation in (1, 2):
        nsim.nki.settings.rotation = rotation
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nki.benchmark(matmul_steps.matmul_naive)(lhsT, rhs)
        times[rotation] = nsim.nki.last_report()["time_ns"]
    nsim.nki.settings.rotation = 2
    assert times[2] < 0.75 * times[1]


def test_timing_only_warns_and_zero_fills(monkeypatch):
    monkeypatch.setenv("NSIM_TIMING_ONLY", "1")
    a = np.ones((128, 8), np.int32)
    with pytest.warns(UserWarning, match="timing only"):
        out = scale_add(a, a, 2)
    assert out.dtype == np.int32 and not out.any()
    assert nsim.nki.last_report()["timing_only"]


def test_benchmark_latency_is_the_simulated_time():
    bench = nki.benchmark(warmup=2, iters=5)(scale_add)
    a = np.ones((256, 64), np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bench(a, a, 2.0)
    us = bench.benchmark_result.nc_latency.get_latency_percentile(99)
    assert us == pytest.approx(nsim.nki.last_report()["time_ns"] / 1000) and us > 0


def test_chip_from_the_environment(monkeypatch):
    from nsim.nki import kernel
    monkeypatch.setattr(nsim.nki.settings, "chip", None)
    monkeypatch.delenv("NSIM_CHIP", raising=False)
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "gen2")
    assert kernel.chip_name() == "trn1"
    monkeypatch.setenv("NEURON_PLATFORM_TARGET_OVERRIDE", "gen3")
    assert kernel.chip_name() == "trn2"
    monkeypatch.setenv("NSIM_CHIP", "inf2")
    assert kernel.chip_name() == "inf2"
    monkeypatch.delenv("NSIM_CHIP")
    assert kernel.chip_name("trn1") == "trn1"  # nki.jit(platform_target="trn1"), NKI 0.2
    monkeypatch.delenv("NEURON_PLATFORM_TARGET_OVERRIDE")
    assert kernel.chip_name() == "trn2"


def test_runner_binds_nki_names(tmp_path):
    script = tmp_path / "k.py"
    script.write_text(
        "import numpy as np\n"
        "from neuronxcc import nki\n"
        "import neuronxcc.nki.language as nl\n"
        "import nki.isa as nisa\n"
        "@nki.jit\n"
        "def k(a):\n"
        "    out = nl.ndarray(a.shape, a.dtype, buffer=nl.shared_hbm)\n"
        "    t = nl.ndarray(a.shape, a.dtype, buffer=nl.sbuf)\n"
        "    nisa.dma_copy(dst=t, src=a)\n"
        "    nisa.tensor_scalar(dst=t, data=t, op0=nl.add, operand0=1.0)\n"
        "    nisa.dma_copy(dst=out, src=t)\n"
        "    return out\n"
        "print(k(np.zeros((4, 4), np.float32)).sum(), nki.last_report()['chip'])\n")
    env = dict(os.environ, NEURON_PLATFORM_TARGET_OVERRIDE="inf2")
    out = subprocess.run([sys.executable, "-m", "nsim.nki", str(script)], env=env, check=True,
                         capture_output=True, text=True).stdout
    assert out.split() == ["16.0", "inf2"]


def test_rmsnorm_example_matches_numpy():
    import rmsnorm
    rng = np.random.default_rng(7)
    x = rng.standard_normal((128, 256)).astype(np.float32)
    gamma = rng.standard_normal((1, 256)).astype(np.float32)
    np.testing.assert_allclose(nki.simulate(rmsnorm.rmsnorm)(x, gamma),
                               rmsnorm.reference(x, gamma), rtol=1e-5, atol=1e-5)


def test_convenience_functions_lower_to_one_instruction_each():
    @nki.jit
    def fused(a, b):
        out = nl.ndarray((a.shape[0], 1), nl.float32, buffer=nl.shared_hbm)
        x = nl.load(a)
        y = nl.load(b)
        z = nl.subtract(1.0, nl.add(nl.multiply(x, 2.0), nl.exp(y)))  # 1 - (2x + e^y)
        nl.store(out, nl.max(z, axis=1))
        return out
    rng = np.random.default_rng(8)
    a = rng.standard_normal((128, 64)).astype(np.float32)
    b = rng.standard_normal((128, 64)).astype(np.float32)
    want = (1 - (2 * a + np.exp(b))).max(axis=1, keepdims=True)
    np.testing.assert_allclose(fused(a, b), want, rtol=1e-6)
    opcodes = [line.split()[0] for line in nsim.nki.last_kernel_text().splitlines()[5:]]
    assert opcodes == ["dma_copy", "dma_copy", "tensor_scalar", "activation", "tensor_tensor",
                       "tensor_scalar", "tensor_reduce", "dma_copy"]
    @nki.jit
    def mm(a, b):
        out = nl.ndarray((a.shape[1], b.shape[1]), nl.float32, buffer=nl.shared_hbm)
        r = nl.ndarray((a.shape[1], b.shape[1]), nl.float32, buffer=nl.sbuf)
        nisa.tensor_copy(dst=r, src=nl.matmul(nl.load(a), nl.load(b), transpose_x=True))
        nl.store(out, r)
        return out
    a_int = rng.integers(-8, 8, (128, 64)).astype(np.float32)
    b_int = rng.integers(-8, 8, (128, 32)).astype(np.float32)
    np.testing.assert_array_equal(mm(a_int, b_int), a_int.T @ b_int)
    with pytest.raises(nsim.nki.NkiError, match="shapes .128, 64. and .128, 2."):
        @nki.jit
        def broadcast(a):
            x = nl.load(a)
            nl.add(x, x[:, 0:2])
        broadcast(a)


@nki.jit
def spmd_add(a, b):
    """Program i of n adds rows [i*rows, (i+1)*rows)."""
    out = nl.ndarray(a.shape, a.dtype, buffer=nl.shared_hbm)
    rows = a.shape[0] // nl.num_programs()
    for i in range(rows // 128):
        r = nl.ds(nl.program_id(0) * rows + i * 128, 128)
        nl.store(out[r, :], nl.add(nl.load(a[r, :]), nl.load(b[r, :])))
    return out


def test_spmd_programs_share_the_outputs_and_the_cores():
    """trn1 has 2 cores: 2 programs run at once (about twice as fast as 1), 4 run two per core;
    every program's rows reach the output."""
    rng = np.random.default_rng(9)
    a = rng.integers(-99, 99, (1024, 128)).astype(np.int32)
    b = rng.integers(-99, 99, (1024, 128)).astype(np.int32)
    times = {}
    for n in (1, 2, 4):
        np.testing.assert_array_equal(spmd_add[n](a, b), a + b)
        report = nsim.nki.last_report()
        times[n] = report["time_ns"]
        assert len(report["cores"]) == min(n, 2)
    assert times[2] < 0.6 * times[1] and times[4] > times[2]


def test_profile_names_bars_by_kernel_line(tmp_path):
    import json
    nki.profile(working_directory=str(tmp_path), save_trace_name="t.json")(row_softmax)(
        np.ones((128, 64), np.float32))
    events = json.loads((tmp_path / "t.json").read_text())["traceEvents"]
    names = {e["name"] for e in events if e.get("ph") == "X"}
    assert f"nisa.reciprocal test_nki.py:{line_of(row_softmax.fn, 'nisa.reciprocal')}" in names


def test_causal_mask_with_affine_select_and_predicated_copy():
    """Row p keeps columns j <= p (affine value p - j >= 0), the rest become -1e4; then the
    positive kept values are copied over a zero tile through a predicate."""
    @nki.jit
    def masked(x):
        out = nl.ndarray((2, 128, 128), nl.float32, buffer=nl.shared_hbm)
        t = nl.ndarray((128, 128), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x)
        m = nl.ndarray((128, 128), nl.float32, buffer=nl.sbuf)
        nisa.affine_select(dst=m, pattern=[[-1, 128]], channel_multiplier=1, on_true_tile=t,
                           on_false_value=-1e4, cmp_op=nl.greater_equal)
        nisa.dma_copy(dst=out[0], src=m)
        pred = nl.ndarray((128, 128), nl.uint8, buffer=nl.sbuf)
        nisa.tensor_scalar(dst=pred, data=m, op0=nl.greater, operand0=0.0)
        z = nl.zeros((128, 128), nl.float32, buffer=nl.sbuf)
        nisa.tensor_copy_predicated(dst=z, src=m, predicate=pred)
        nisa.dma_copy(dst=out[1], src=z)
        return out
    x = np.random.default_rng(10).standard_normal((128, 128)).astype(np.float32)
    got = masked(x)
    keep = np.tril(np.ones((128, 128), bool))
    want = np.where(keep, x, np.float32(-1e4))
    np.testing.assert_array_equal(got[0], want)
    np.testing.assert_array_equal(got[1], np.where(want > 0, want, 0))


@nki.jit
def transpose_blocks(in_tensor, shape2d):
    """Within each partition, the free dim seen as shape2d = (f1, f2) becomes (f2, f1): many
    single-element copies through nl.ds, int8 data, a tuple constant argument."""
    out_tensor = nl.ndarray(in_tensor.shape, in_tensor.dtype, buffer=nl.shared_hbm)
    f1, f2 = shape2d
    src = nl.ndarray(in_tensor.shape, in_tensor.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=src, src=in_tensor)
    dst = nl.ndarray(in_tensor.shape, in_tensor.dtype, buffer=nl.sbuf)
    for i in nl.affine_range(f1):
        for j in nl.affine_range(f2):
            nisa.tensor_copy(dst=dst[:, nl.ds(j * f1 + i, 1)], src=src[:, nl.ds(i * f2 + j, 1)])
    nisa.dma_copy(dst=out_tensor, src=dst)
    return out_tensor


def test_many_small_copies_of_int8_are_exact():
    x = np.random.default_rng(11).integers(-128, 128, (64, 12)).astype(np.int8)
    got = transpose_blocks(x, (3, 4))
    np.testing.assert_array_equal(got, x.reshape(64, 3, 4).transpose(0, 2, 1).reshape(64, 12))
    assert nsim.nki.last_report()["instructions"] == 14


def test_explicit_addresses_are_kept_and_avoided():
    @nki.jit
    def placed(a):
        out = nl.ndarray((32, 64), nl.float32, buffer=nl.shared_hbm)
        pinned = nl.ndarray((32, 64), nl.float32, buffer=nl.sbuf, address=(32, 0))
        nisa.dma_copy(dst=pinned, src=a)
        auto = nl.ndarray((32, 64), nl.float32, buffer=nl.sbuf)  # must not land on `pinned`
        nisa.tensor_scalar(dst=auto, data=pinned, op0=nl.add, operand0=1.0)
        acc = nl.ndarray((32, 64), nl.float32, buffer=nl.psum, address=(0, 3 * 2048))
        nisa.tensor_copy(dst=acc, src=auto)
        nisa.tensor_tensor(dst=auto, data1=acc, data2=pinned, op=nl.add)
        nisa.dma_copy(dst=out, src=auto)
        return out
    a = np.arange(32 * 64, dtype=np.float32).reshape(32, 64)
    np.testing.assert_array_equal(placed(a), 2 * a + 1)
    text = nsim.nki.last_kernel_text()
    assert "sbuf[32:64]@0." in text and "psum[0:32]@6144." in text
    assert "sbuf[0:32]@0." not in text  # the automatic tile avoided bytes 0..255

    @nki.jit
    def off_bank(a):
        nl.ndarray((32, 64), nl.float32, buffer=nl.psum, address=(0, 1000))
    with pytest.raises(nsim.nki.NkiError, match="not at a 2048-byte bank boundary"):
        off_bank(a)


def test_layernorm_example_matches_numpy():
    import layernorm
    rng = np.random.default_rng(12)
    x = (3 * rng.standard_normal((128, 1024)) + 1).astype(np.float32)
    gamma, beta = rng.standard_normal((2, 1, 1024)).astype(np.float32)
    np.testing.assert_allclose(nki.simulate(layernorm.layernorm)(x, gamma, beta),
                               layernorm.reference(x, gamma, beta), rtol=1e-4, atol=1e-4)


def test_fp8_values_round_and_saturate():
    @nki.jit
    def double(x):
        out = nl.ndarray(x.shape, nl.float8_e4m3fn, buffer=nl.shared_hbm)
        t = nl.ndarray(x.shape, nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=x)
        nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=2.0)
        nisa.dma_copy(dst=out, src=t)
        return out
    x = nsim.nki.array([[1.0, 0.3, 500.0, -3.3]], nl.float8_e4m3fn)
    # E4M3 ("fn"): 3 mantissa bits, largest finite 448 (0.3 -> 0.3125, -3.3 -> -3.25)
    np.testing.assert_array_equal(x.values, [[1.0, 0.3125, 448.0, -3.25]])
    np.testing.assert_array_equal(double(x), [[2.0, 0.625, 448.0, -6.5]])


@nki.jit
def cumsum_rows(x):
    """Running sums along each row, 512 columns per scan, the carry through `initial`."""
    out = nl.ndarray(x.shape, nl.float32, buffer=nl.shared_hbm)
    P, F = x.shape
    t = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=x)
    ones = nl.full((P, F), 1.0, nl.float32)
    s = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
    for c in range(F // 512):
        cols = nl.ds(c * 512, 512)
        initial = 0.0 if c == 0 else s[:, c * 512 - 1:c * 512]
        nisa.tensor_tensor_scan(dst=s[:, cols], data0=ones[:, cols], data1=t[:, cols],
                                initial=initial, op0=nl.multiply, op1=nl.add)
    nisa.dma_copy(dst=out, src=s)
    return out


def test_tensor_tensor_scan_is_a_cumulative_sum():
    x = np.random.default_rng(13).integers(-50, 50, (128, 1024)).astype(np.float32)
    np.testing.assert_array_equal(cumsum_rows(x), np.cumsum(x, axis=1))


def test_softmax_backward_with_scalar_tensor_tensor():
    @nki.jit
    def softmax_grad(y, dy):
        out = nl.ndarray(y.shape, nl.float32, buffer=nl.shared_hbm)
        ys, dys = nl.load(y), nl.load(dy)
        s = nl.sum(nl.multiply(dys, ys), axis=1)
        dx = nl.ndarray(y.shape, nl.float32, buffer=nl.sbuf)
        nisa.scalar_tensor_tensor(dst=dx, data=dys, op0=nl.subtract, operand0=s,
                                  op1=nl.multiply, operand1=ys)
        nl.store(out, dx)
        return out
    rng = np.random.default_rng(14)
    logits = rng.standard_normal((128, 64))
    y = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    dy = rng.standard_normal((128, 64))
    y, dy = y.astype(np.float32), dy.astype(np.float32)
    want = (dy - (dy * y).sum(axis=1, keepdims=True)) * y
    np.testing.assert_allclose(softmax_grad(y, dy), want, rtol=1e-5, atol=1e-6)


def test_tensor_scalar_reduce_scales_and_sums_each_row():
    @nki.jit
    def scaled_row_sums(x, w):
        out = nl.ndarray(x.shape, nl.float32, buffer=nl.shared_hbm)
        sums = nl.ndarray((x.shape[0], 1), nl.float32, buffer=nl.shared_hbm)
        xs, ws = nl.load(x), nl.load(w)
        y = nl.ndarray(x.shape, nl.float32, buffer=nl.sbuf)
        s = nl.ndarray((x.shape[0], 1), nl.float32, buffer=nl.sbuf)
        nisa.tensor_scalar_reduce(dst=y, data=xs, op0=nl.multiply, operand0=ws,
                                  reduce_op=nl.add, reduce_res=s, reduce_res_negate=True)
        nl.store(out, y)
        nl.store(sums, s)
        return out, sums
    rng = np.random.default_rng(15)
    x = rng.integers(-20, 20, (128, 96)).astype(np.float32)
    w = rng.integers(-3, 4, (128, 1)).astype(np.float32)
    y, s = scaled_row_sums(x, w)
    np.testing.assert_array_equal(y, x * w)
    np.testing.assert_array_equal(s, -(x * w).sum(axis=1, keepdims=True))


def test_activation_reduce_gives_exp_and_its_row_sums():
    @nki.jit
    def exp_and_sums(x):
        out = nl.ndarray(x.shape, nl.float32, buffer=nl.shared_hbm)
        sums = nl.ndarray((x.shape[0], 1), nl.float32, buffer=nl.shared_hbm)
        xs = nl.load(x)
        e = nl.ndarray(x.shape, nl.float32, buffer=nl.sbuf)
        s = nl.ndarray((x.shape[0], 1), nl.float32, buffer=nl.sbuf)
        nisa.activation_reduce(dst=e, op=nl.exp, data=xs, reduce_op=nl.add, reduce_res=s,
                               scale=-1.0)
        nl.store(out, e)
        nl.store(sums, s)
        return out, sums
    x = np.random.default_rng(16).standard_normal((128, 200)).astype(np.float32)
    e, s = exp_and_sums(x)
    np.testing.assert_allclose(e, np.exp(-x), rtol=1e-6)
    np.testing.assert_allclose(s, np.exp(-x).sum(axis=1, keepdims=True), rtol=1e-5)


def test_tensor_partition_reduce_sums_and_maxes_the_partitions():
    @nki.jit
    def column_stats(x):
        sums = nl.ndarray((1, x.shape[1]), nl.float32, buffer=nl.shared_hbm)
        maxes = nl.ndarray((1, x.shape[1]), nl.float32, buffer=nl.shared_hbm)
        xs = nl.load(x)
        s = nl.ndarray((1, x.shape[1]), nl.float32, buffer=nl.sbuf)
        m = nl.ndarray((1, x.shape[1]), nl.float32, buffer=nl.sbuf)
        nisa.tensor_partition_reduce(dst=s, op=nl.add, data=xs)
        nisa.tensor_partition_reduce(dst=m, op=nl.maximum, data=xs)
        nl.store(sums, s)
        nl.store(maxes, m)
        return sums, maxes
    x = np.random.default_rng(17).integers(-100, 100, (128, 64)).astype(np.float32)
    s, m = column_stats(x)
    np.testing.assert_array_equal(s, x.sum(axis=0, keepdims=True))
    np.testing.assert_array_equal(m, x.max(axis=0, keepdims=True))


@nki.jit
def top16(x):
    """The 16 largest values of each row and their indices: max8 and nc_find_index8, then
    nc_match_replace8 knocks the first 8 out (-inf) for a second round."""
    P = x.shape[0]
    vals = nl.ndarray((P, 16), nl.float32, buffer=nl.shared_hbm)
    idx = nl.ndarray((P, 16), nl.uint32, buffer=nl.shared_hbm)
    xs = nl.load(x)
    v = nl.ndarray((P, 16), nl.float32, buffer=nl.sbuf)
    i = nl.ndarray((P, 16), nl.uint32, buffer=nl.sbuf)
    rest = nl.ndarray(x.shape, nl.float32, buffer=nl.sbuf)
    nisa.max8(dst=v[:, 0:8], src=xs)
    nisa.nc_find_index8(dst=i[:, 0:8], data=xs, vals=v[:, 0:8])
    nisa.nc_match_replace8(dst=rest, data=xs, vals=v[:, 0:8], imm=-np.inf)
    nisa.max8(dst=v[:, 8:16], src=rest)
    nisa.nc_match_replace8(dst=rest, data=xs, vals=v[:, 8:16], imm=-np.inf,
                           dst_idx=i[:, 8:16])
    nl.store(vals, v)
    nl.store(idx, i)
    return vals, idx


def test_top16_values_and_indices_with_max8_find_index8_match_replace8():
    rng = np.random.default_rng(18)
    x = np.stack([rng.permutation(1000)[:300] for _ in range(128)]).astype(np.float32)
    vals, idx = top16(x)
    order = np.argsort(-x, axis=1)[:, :16]
    np.testing.assert_array_equal(vals, np.take_along_axis(x, order, axis=1))
    np.testing.assert_array_equal(idx, order)


def test_range_select_masks_outside_per_row_bounds_and_keeps_the_max(monkeypatch):
    monkeypatch.setattr(nsim.nki.settings, "chip", "trn2")  # range_select needs NeuronCore-v3

    @nki.jit
    def window(x, lo, hi):
        out = nl.ndarray(x.shape, nl.float32, buffer=nl.shared_hbm)
        mx = nl.ndarray((x.shape[0], 1), nl.float32, buffer=nl.shared_hbm)
        xs, los, his = nl.load(x), nl.load(lo), nl.load(hi)
        y = nl.ndarray(x.shape, nl.float32, buffer=nl.sbuf)
        m = nl.ndarray((x.shape[0], 1), nl.float32, buffer=nl.sbuf)
        nisa.range_select(dst=y, on_true_tile=xs, comp_op0=nl.greater_equal, comp_op1=nl.less,
                          bound0=los, bound1=his, reduce_res=m, range_start=100)
        nl.store(out, y)
        nl.store(mx, m)
        return out, mx
    rng = np.random.default_rng(19)
    x = rng.standard_normal((128, 64)).astype(np.float32)
    lo = rng.integers(90, 140, (128, 1)).astype(np.float32)
    hi = lo + rng.integers(1, 30, (128, 1)).astype(np.float32)
    idx = 100 + np.arange(64)
    keep = (idx >= lo) & (idx < hi)
    want = np.where(keep, x, np.float32(nisa.FP32_MIN))
    y, m = window(x, lo, hi)
    np.testing.assert_array_equal(y, want)
    np.testing.assert_array_equal(m, want.max(axis=1, keepdims=True))


def test_dropout_zeroes_about_prob_and_keeps_the_rest():
    @nki.jit
    def drop(x):
        out = nl.ndarray(x.shape, nl.float32, buffer=nl.shared_hbm)
        xs = nl.load(x)
        y = nl.ndarray(x.shape, nl.float32, buffer=nl.sbuf)
        nisa.dropout(dst=y, data=xs, prob=0.3)
        nl.store(out, y)
        return out
    x = np.random.default_rng(20).uniform(1, 2, (128, 256)).astype(np.float32)
    y = drop(x)
    kept = y != 0
    np.testing.assert_array_equal(y[kept], x[kept])
    assert abs(1 - kept.mean() - 0.3) < 0.015  # binomial sd 0.0029
    np.testing.assert_array_equal(drop(x), y)  # the same seed, the same mask


def test_nc_stream_shuffle_swaps_neighbour_partitions_in_every_quadrant():
    @nki.jit
    def swap_pairs(x):
        out = nl.ndarray(x.shape, x.dtype, buffer=nl.shared_hbm)
        xs = nl.load(x)
        y = nl.ndarray(x.shape, x.dtype, buffer=nl.sbuf)
        nisa.nc_stream_shuffle(dst=y, src=xs, shuffle_mask=[i ^ 1 for i in range(32)])
        nl.store(out, y)
        return out
    x = np.random.default_rng(21).integers(-2**31, 2**31, (128, 40)).astype(np.int32)
    np.testing.assert_array_equal(swap_pairs(x), x[np.arange(128) ^ 1])


def test_dma_transpose_loads_a_transposed_tile(monkeypatch):
    monkeypatch.setattr(nsim.nki.settings, "chip", "trn2")  # dma_transpose needs NeuronCore-v3

    @nki.jit
    def load_t(x):
        out = nl.ndarray((x.shape[1], x.shape[0]), x.dtype, buffer=nl.shared_hbm)
        t = nl.ndarray((x.shape[1], x.shape[0]), x.dtype, buffer=nl.sbuf)
        nisa.dma_transpose(dst=t, src=x)
        nisa.dma_copy(dst=out, src=t)
        return out
    x = np.random.default_rng(22).integers(-1000, 1000, (16, 128)).astype(np.float32)
    np.testing.assert_array_equal(load_t(x), x.T)

    @nki.jit
    def load_3d(x):  # NKI's 3-D default (2, 1, 0), and given axes (2, 0, 1)
        out = nl.ndarray(x.shape[::-1], x.dtype, buffer=nl.shared_hbm)
        out2 = nl.ndarray((x.shape[2], x.shape[0], x.shape[1]), x.dtype, buffer=nl.shared_hbm)
        t = nl.ndarray(x.shape[::-1], x.dtype, buffer=nl.sbuf)
        t2 = nl.ndarray((x.shape[2], x.shape[0], x.shape[1]), x.dtype, buffer=nl.sbuf)
        nisa.dma_transpose(dst=t, src=x)
        nisa.dma_transpose(dst=t2, src=x, axes=(2, 0, 1))
        nisa.dma_copy(dst=out, src=t)
        nisa.dma_copy(dst=out2, src=t2)
        return out, out2
    x3 = np.arange(2 * 8 * 16, dtype=np.float32).reshape(2, 8, 16)
    a, b = load_3d(x3)
    np.testing.assert_array_equal(a, x3.transpose(2, 1, 0))
    np.testing.assert_array_equal(b, x3.transpose(2, 0, 1))


def test_mx_instructions_are_not_implemented():
    @nki.jit
    def mx(a):
        t = nl.ndarray((128, 8), nl.float32, buffer=nl.sbuf)
        nisa.quantize_mx(t, t, t)
    with pytest.raises(NotImplementedError, match=r"nisa.quantize_mx \(a NeuronCore-v4"):
        mx(np.zeros((1, 1), np.float32))
