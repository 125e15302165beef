"""The nsim package: chips, kernel text, the verifier and runs, against numpy."""
import pathlib

import numpy as np
import pytest

import nsim

KERNELS = pathlib.Path(__file__).resolve().parents[2] / "examples" / "kernels"


def test_chips_and_overrides():
    assert {"inf1", "inf2", "trn1", "trn2"} <= set(nsim.chips())
    trn1 = nsim.describe_chip("trn1")
    assert trn1["generation"] == "v2" and trn1["limits"]["partitions"] == 128
    faster = nsim.describe_chip("trn1", {"timing.tensor_clock_ghz": 3.5})
    assert faster["params"]["timing.tensor_clock_ghz"]["value"] == "3.5"
    with pytest.raises(nsim.ConfigError, match="no_such_key"):
        nsim.describe_chip("trn1", {"timing.no_such_key": 1})


def test_instances_and_overrides():
    assert {"inf1.xlarge", "trn1.32xlarge"} <= set(nsim.instances())
    trn1 = nsim.describe_instance("trn1.32xlarge")
    assert trn1["chip"] == "trn1" and trn1["chips"] == 16 and trn1["topology"] == "torus2d"
    with pytest.raises(nsim.ConfigError, match="16 positions, expected the chip count 8"):
        nsim.describe_instance("trn1.32xlarge", {"chips": 8})


def test_parse_error_carries_file_line_column():
    with pytest.raises(nsim.KernelError) as e:
        nsim.parse_kernel("kernel k\ntarget v2\nbogus_op dst=x\n", "k.nki")
    file, line, column, message = e.value.diagnostics[0]
    assert (file, line) == ("k.nki", 3) and column >= 1 and "bogus_op" in message


def test_verify_names_the_instruction_line():
    text = ("kernel k\ntarget v2\ntensor x [256, 4] f32 input\n"
            "dma_copy dst=sbuf[0:256]@0.f32[4] src=x[0:256]@0.f32[4]\n")
    with pytest.raises(nsim.KernelError) as e:
        nsim.verify(text, "trn1", file="k.nki")
    assert e.value.diagnostics[0][1] == 4


def test_softmax_kernel_matches_numpy_and_reports():
    x = np.random.default_rng(1).standard_normal((128, 512)).astype(np.float32)
    r = nsim.run((KERNELS / "softmax_rows.nki").read_text(), "trn1", {"x": x}, trace=True,
                 file="softmax_rows.nki")
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(r.outputs["y"], e / e.sum(axis=1, keepdims=True), rtol=1e-5)
    assert r.report["instructions"] == 6 and r.report["time_ns"] > 0
    assert r.report["chip"] == "trn1" and "tensor" in r.report["engines"]
    assert '"traceEvents"' in r.trace


def test_bf16_inputs_are_rounded_and_outputs_exact():
    text = ("kernel c\ntarget v2\ntensor x [2, 3] bf16 input\ntensor y [2, 3] bf16 output\n"
            "dma_copy dst=y src=x\n")
    x = np.array([[1.0, 1.00390625, 1.005859375], [3.0, -2.5, 1e-3]], dtype=np.float32)
    y = nsim.run(text, "trn1", {"x": x}).outputs["y"]
    assert y.dtype == np.float32
    # 1 + 2^-8 is a tie between 1 and 1 + 2^-7: nearest even is 1.
    assert y[0, 1] == 1.0 and y[0, 2] == np.float32(1.0078125)


def test_timing_only_and_cores():
    text = (KERNELS / "softmax_rows.nki").read_text()
    r = nsim.run(text, "trn1", timing_only=True, cores=2)
    assert r.outputs == {} and r.report["timing_only"] and len(r.report["cores"]) == 2
    with pytest.raises(nsim.UsageError):
        nsim.run(text, "trn1", cores=99)


def test_input_shape_is_checked():
    text = (KERNELS / "softmax_rows.nki").read_text()
    with pytest.raises(nsim.InputError, match=r"shape \[4, 4\] given, expected \[128, 512\]"):
        nsim.run(text, "trn1", {"x": np.zeros((4, 4), np.float32)})
