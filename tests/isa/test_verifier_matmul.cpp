// Tests of the verifier's per-opcode rules for the Tensor and Scalar engines: nc_matmul,
// nc_transpose and activation [src:nki-isa].
#include "verify_helpers.h"

using namespace nsim::isa;
using namespace nsim::isa::test;

namespace {

// dst[M,N] = stationary[K,M]^T . moving[K,N] with the given shapes and types.
std::string matmul(AccessPattern dst, AccessPattern stationary, AccessPattern moving) {
    return messages_of([&](KernelBuilder& b) { b.nc_matmul(dst, stationary, moving); });
}

const AccessPattern kStationary = tile(0, 128, bf16), kMoving = tile(256, 512, bf16);

}  // namespace

TEST_CASE("nc_matmul: dst is fp32", "[isa]") {
    CHECK(matmul(psum_tile(0, 512), kStationary, kMoving) == "");
    CHECK_THAT(
        matmul(psum_tile(0, 512, bf16), kStationary, kMoving),
        Contains(
            "instruction #0 (nc_matmul): nc_matmul operand 'dst': found dtype bf16, expected f32"));
}

TEST_CASE("nc_matmul: stationary and moving share the contraction dim K", "[isa]") {
    CHECK_THAT(matmul(psum_tile(0, 512), kStationary, sbuf(0, 64, 256, bf16, {512})),
               Contains("nc_matmul operand 'moving': found 64 partitions, expected 128 as operand "
                        "'stationary'"));
}

TEST_CASE("nc_matmul: K is at most the partitions, the PE array's rows", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.nc_matmul(psum(0, 128, 0, f32, {512}), sbuf(0, 200, 0, bf16, {128}),
                sbuf(0, 200, 256, bf16, {512}));
    const Program program = b.build();
    CHECK_THAT(messages(verify(program, default_limits(Generation::v2))),
               Contains("nc_matmul operand 'stationary': K=200 partitions exceeds the limit, "
                        "expected at most 128"));
    TargetLimits wide = default_limits(Generation::v2);
    wide.partitions = 256;  // a what-if chip: its PE array is 256x256
    CHECK(messages(verify(program, wide)) == "");
}

TEST_CASE("nc_matmul: a 256-partition array takes M up to 256", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.nc_matmul(psum(0, 256, 0, f32, {512}), sbuf(0, 256, 0, bf16, {256}),
                sbuf(0, 256, 512, bf16, {512}));
    TargetLimits wide = default_limits(Generation::v2);
    wide.partitions = 256;
    CHECK(messages(verify(b.build(), wide)) == "");
}

TEST_CASE("nc_matmul: M, the stationary free size, is at most 128", "[isa]") {
    CHECK_THAT(matmul(psum_tile(0, 512), tile(0, 256, bf16), tile(1024, 512, bf16)),
               Contains("nc_matmul operand 'stationary': free size 256 exceeds the limit, expected "
                        "at most 128"));
}

TEST_CASE("nc_matmul: N, the moving free size, fits one PSUM bank of fp32", "[isa]") {
    CHECK_THAT(matmul(psum_tile(0, 1024), kStationary, tile(256, 1024, bf16)),
               Contains("nc_matmul operand 'moving': free size 1024 exceeds the limit, expected at "
                        "most 512 (one PSUM bank of fp32"));
}

TEST_CASE("nc_matmul: dst is [M,N]", "[isa]") {
    CHECK_THAT(
        matmul(psum_tile(0, 256), kStationary, kMoving),
        Contains(
            "nc_matmul operand 'dst': free size 256, expected 512 (N: the free size of 'moving'"));
    CHECK(matmul(psum(0, 64, 0, f32, {512}), tile(0, 64, bf16), kMoving) == "");
    CHECK_THAT(matmul(psum_tile(0, 512), tile(0, 64, bf16), kMoving),
               Contains("nc_matmul operand 'dst': found 128 partitions, expected M=64 (the free "
                        "size of 'stationary'"));
}

TEST_CASE("nc_matmul: dst lies within one PSUM bank", "[isa]") {
    CHECK(matmul(psum_tile(2048, 512), kStationary, kMoving) == "");
    CHECK(matmul(psum_tile(1024, 256), kStationary, tile(256, 256, bf16)) == "");
    CHECK_THAT(matmul(psum_tile(1024, 512), kStationary, kMoving),
               Contains("nc_matmul operand 'dst': touches bytes [1024, 3072), which cross a PSUM "
                        "bank boundary, "
                        "expected bytes within one 2048-byte bank"));
}

TEST_CASE("nc_matmul: inputs are fp8, bf16, fp16, tf32 or fp32", "[isa]") {
    CHECK(matmul(psum_tile(0, 512), tile(0, 128, DType::float8_e4m3), kMoving) == "");
    CHECK_THAT(matmul(psum_tile(0, 512), tile(0, 128, i8), kMoving),
               Contains("nc_matmul operand 'stationary': found dtype i8, expected f8e4m3, f8e5m2, "
                        "bf16, f16, tf32 or f32"));
}

TEST_CASE("nc_matmul: an fp32/tf32 input needs an fp32/tf32 partner", "[isa]") {
    CHECK(matmul(psum_tile(0, 512), tile(0, 128, f32), tile(512, 512, tf32)) == "");
    CHECK_THAT(matmul(psum_tile(0, 512), tile(0, 128, f32), kMoving),
               Contains("nc_matmul operand 'moving': found dtype bf16 with stationary dtype f32, "
                        "expected both f32/tf32 or neither"));
}

TEST_CASE("nc_transpose: the tensor engine reads SBUF and writes PSUM", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.nc_transpose(psum(0, 64, 0, bf16, {128}), tile(0, 64, bf16));
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.nc_transpose(psum(0, 64, 0, bf16, {128}), psum_tile(0, 64, bf16));
               }),
               Contains("nc_transpose operand 'data': found memory psum, expected sbuf (the Tensor "
                        "Engine reads SBUF"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.nc_transpose(sbuf(0, 64, 0, bf16, {128}), tile(0, 64, bf16));
               }),
               Contains("nc_transpose operand 'dst': found memory sbuf, expected psum (the Tensor "
                        "Engine writes PSUM"));
}

TEST_CASE("nc_transpose: the tensor engine transposes at most 128x128", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.nc_transpose(psum(0, 128, 0, bf16, {256}), tile(0, 256, bf16));
               }),
               Contains("nc_transpose operand 'data': free size 256 exceeds the limit, expected at "
                        "most 128 (the tensor engine transposes at most 128x128"));
}

TEST_CASE("nc_transpose: dst is data with partitions and free elements swapped", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.nc_transpose(psum(0, 128, 0, bf16, {64}), tile(0, 64, bf16));
               }),
               Contains("nc_transpose operand 'dst': found P=128 x F=64, expected P=64 x F=128 "
                        "(the transpose of 'data'"));
}

TEST_CASE("nc_transpose: the vector engine transposes at most 32x32", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.nc_transpose(sbuf(32, 32, 0, f32, {32}), sbuf(0, 32, 0, f32, {32}))
                  .engine(Engine::vector);
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.nc_transpose(sbuf(0, 16, 0, f32, {64}), sbuf(0, 64, 0, f32, {16}))
                       .engine(Engine::vector);
               }),
               Contains("nc_transpose operand 'data': P=64 exceeds the limit, expected at most 32 "
                        "(the vector engine transposes at most 32x32"));
}

TEST_CASE("nc_transpose: dst keeps the dtype, except fp32 PSUM from the v1/v2 tensor engine",
          "[isa]") {
    auto to_f32 = [](KernelBuilder& b) {
        b.nc_transpose(psum(0, 64, 0, f32, {128}), tile(0, 64, bf16));
    };
    CHECK(messages_of(to_f32, Generation::v2) == "");
    CHECK(messages_of(to_f32, Generation::v1) == "");
    CHECK_THAT(messages_of(to_f32, Generation::v3),
               Contains("nc_transpose operand 'dst': found dtype f32, expected bf16 as operand "
                        "'data' (a transpose does not convert"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.nc_transpose(psum(0, 64, 0, f16, {128}), tile(0, 64, bf16));
               }),
               Contains("nc_transpose operand 'dst': found dtype f16, expected bf16 as operand "
                        "'data' (or f32 from a Tensor Engine transpose"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.nc_transpose(sbuf(0, 8, 0, f32, {8}), sbuf(0, 8, 64, bf16, {8}))
                       .engine(Engine::vector);
               }),
               Contains("nc_transpose operand 'dst': found dtype f32, expected bf16"));
}

TEST_CASE("activation: dst and data have equal P and F", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.activation(tile(0, 8, bf16), ActFunc::gelu,
                           sbuf_pattern(0, 128, 64, f32, {{4, 2}, {1, 4}}));
          }) == "");
    CHECK_THAT(messages_of(
                   [](KernelBuilder& b) { b.activation(tile(0, 8), ActFunc::gelu, tile(64, 16)); }),
               Contains("instruction #0 (activation): activation operand 'data': found P=128 x "
                        "F=16, expected P=128 x F=8 as operand 'dst'"));
}

TEST_CASE("activation: scale is an immediate or a [P,1] fp32 vector", "[isa]") {
    auto with_scale = [](Operand scale) {
        return messages_of([&](KernelBuilder& b) {
            b.activation(tile(0, 8), ActFunc::exp, tile(64, 8)).arg("scale", scale);
        });
    };
    CHECK(with_scale(-1.0) == "");
    CHECK(with_scale(tile(128, 1)) == "");
    CHECK_THAT(with_scale(tile(128, 1, bf16)),
               Contains("activation operand 'scale': found dtype bf16, expected f32"));
    CHECK_THAT(with_scale(tile(128, 2)), Contains("activation operand 'scale': found P=128 x F=2, "
                                                  "expected a per-partition vector [P,1]"));
}

TEST_CASE("activation: a scalar bias needs v3, and a bias vector is not tf32", "[isa]") {
    auto with_bias = [](Operand bias, Generation g) {
        return messages_of(
            [&](KernelBuilder& b) {
                b.activation(tile(0, 8), ActFunc::exp, tile(64, 8)).arg("bias", bias);
            },
            g);
    };
    CHECK(with_bias(0.5, Generation::v3) == "");
    CHECK(with_bias(tile(128, 1, bf16), Generation::v2) == "");
    CHECK_THAT(
        with_bias(0.5, Generation::v2),
        Contains("activation operand 'bias': found an immediate, expected a [P,1] access pattern"));
    CHECK_THAT(with_bias(0.5, Generation::v1),
               Contains("a scalar bias needs target v3 or later, found v1"));
    CHECK_THAT(
        with_bias(tile(128, 1, tf32), Generation::v2),
        Contains("activation operand 'bias': found dtype tf32, expected any dtype but tf32"));
}

TEST_CASE("activation: reduce_op is add before v3 and a reduction operator on v3", "[isa]") {
    auto with_reduce = [](AluOp op, Generation g) {
        return messages_of(
            [&](KernelBuilder& b) {
                b.activation(tile(0, 8), ActFunc::exp, tile(64, 8))
                    .arg("reduce_op", op)
                    .arg("reduce_cmd", ReduceCmd::reset_reduce)
                    .arg("reduce_res", tile(128, 1));
            },
            g);
    };
    CHECK(with_reduce(AluOp::add, Generation::v2) == "");
    CHECK(with_reduce(AluOp::maximum, Generation::v3) == "");
    CHECK_THAT(with_reduce(AluOp::maximum, Generation::v2),
               Contains("activation operand 'reduce_op': found maximum, expected add"));
    CHECK_THAT(
        with_reduce(AluOp::divide, Generation::v3),
        Contains("activation operand 'reduce_op': found divide, expected a reduction operator"));
}

TEST_CASE("activation: reduce_res is [P,1] and needs an accumulator command", "[isa]") {
    CHECK_THAT(
        messages_of([](KernelBuilder& b) {
            b.activation(tile(0, 8), ActFunc::exp, tile(64, 8)).arg("reduce_res", tile(128, 1));
        }),
        Contains("activation operand 'reduce_res': given with reduce_cmd idle, expected reduce_cmd "
                 "reset, reduce, reset_reduce or load_reduce"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.activation(tile(0, 8), ActFunc::exp, tile(64, 8))
                       .arg("reduce_cmd", ReduceCmd::idle)
                       .arg("reduce_res", tile(128, 1));
               }),
               Contains("given with reduce_cmd idle"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.activation(tile(0, 8), ActFunc::exp, tile(64, 8))
                       .arg("reduce_cmd", ReduceCmd::reduce)
                       .arg("reduce_res", sbuf(0, 64, 128, f32, {1}));
               }),
               Contains("activation operand 'reduce_res': found P=64 x F=1, expected a "
                        "per-partition vector [P,1] with P=128"));
    CHECK(messages_of([](KernelBuilder& b) {
              b.activation(tile(0, 8), ActFunc::exp, tile(64, 8))
                  .arg("reduce_cmd", ReduceCmd::reduce);
          }) == "");
}

TEST_CASE("activation_reduce: activation's operand rules, no reduce_cmd needed", "[isa]") {
    const auto act_reduce = [](AccessPattern res, AluOp op, Generation g) {
        return messages_of(
            [&](KernelBuilder& b) {
                b.activation_reduce(tile(0, 8), ActFunc::exp, tile(64, 8), op, res)
                    .arg("bias", tile(96, 1));
            },
            g);
    };
    CHECK(act_reduce(tile(128, 1), AluOp::add, Generation::v2) == "");
    CHECK(act_reduce(tile(128, 1), AluOp::maximum, Generation::v3) == "");
    CHECK_THAT(act_reduce(tile(128, 2), AluOp::add, Generation::v2),
               Contains("activation_reduce operand 'reduce_res': found P=128 x F=2, expected a "
                        "per-partition vector [P,1]"));
    CHECK_THAT(act_reduce(tile(128, 1), AluOp::maximum, Generation::v2),
               Contains("'reduce_op': found maximum, expected add (the only Scalar Engine "
                        "reduction before v3, §10.1)"));
}
