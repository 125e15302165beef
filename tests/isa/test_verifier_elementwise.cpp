// Tests of the verifier's per-opcode rules for the element-wise, copy and select instructions:
// tensor_tensor, tensor_scalar, tensor_copy, tensor_copy_predicated, select_reduce, memset,
// reciprocal [src:nki-isa].
#include "verify_helpers.h"

using namespace nsim::isa;
using namespace nsim::isa::test;

namespace {

std::string tensor_tensor(AccessPattern data1, AccessPattern data2, AluOp op,
                          Engine e = Engine::vector, DType dst_type = f32) {
    return messages_of([&](KernelBuilder& b) {
        b.tensor_tensor(tile(0, 8, dst_type), data1, data2, op).engine(e);
    });
}

// tensor_scalar on [128, 8] f32 tiles with extra operands set by `more`.
std::string tensor_scalar(AluOp op0, const std::function<void(InstructionRef&)>& more,
                          Generation g = Generation::v2, DType t = f32) {
    return messages_of(
        [&](KernelBuilder& b) {
            auto ref = b.emit(Opcode::tensor_scalar,
                              {{"dst", tile(0, 8, t)}, {"data", tile(64, 8, t)}, {"op0", op0}});
            more(ref);
        },
        g);
}

}  // namespace

TEST_CASE("tensor_tensor: dst, data1 and data2 have equal P and F", "[isa]") {
    CHECK(tensor_tensor(tile(64, 8), sbuf_pattern(0, 128, 128, f32, {{4, 2}, {1, 4}}),
                        AluOp::add) == "");
    CHECK_THAT(tensor_tensor(tile(64, 8), tile(128, 16), AluOp::add),
               Contains("instruction #0 (tensor_tensor): tensor_tensor operand 'data2': found "
                        "P=128 x F=16, expected P=128 x F=8 as operand 'dst'"));
    CHECK_THAT(tensor_tensor(sbuf(0, 64, 64, f32, {8}), tile(128, 8), AluOp::add),
               Contains("tensor_tensor operand 'data1': found P=64 x F=8, expected P=128 x F=8"));
}

TEST_CASE("tensor_tensor: data1 and data2 are not both in PSUM", "[isa]") {
    CHECK(tensor_tensor(psum_tile(0, 8), tile(64, 8), AluOp::multiply) == "");
    CHECK_THAT(tensor_tensor(psum_tile(0, 8), psum_tile(64, 8), AluOp::multiply),
               Contains("tensor_tensor operand 'data2': found in PSUM together with operand "
                        "'data1', expected at most one of the two inputs in PSUM"));
}

TEST_CASE("tensor_tensor: bitvec operators need integer dtypes", "[isa]") {
    CHECK(tensor_tensor(tile(64, 8, i32), tile(128, 8, i32), AluOp::bitwise_and, Engine::vector,
                        i32) == "");
    CHECK_THAT(
        tensor_tensor(tile(64, 8), tile(128, 8, i32), AluOp::bitwise_and, Engine::vector, i32),
        Contains("tensor_tensor operand 'data1': found dtype f32, expected an integer dtype "
                 "(bitvec operators work on integer bits"));
}

TEST_CASE("tensor_tensor: bitvec operators run on the vector engine only", "[isa]") {
    CHECK_THAT(
        tensor_tensor(tile(64, 8, i32), tile(128, 8, i32), AluOp::left_shift, Engine::gpsimd, i32),
        Contains("tensor_tensor: runs on engine gpsimd, expected vector (bitvec operators run on "
                 "the Vector engine only"));
}

TEST_CASE("tensor_tensor: power runs on gpsimd only", "[isa]") {
    CHECK(tensor_tensor(tile(64, 8), tile(128, 8), AluOp::power, Engine::gpsimd) == "");
    CHECK_THAT(
        tensor_tensor(tile(64, 8), tile(128, 8), AluOp::power),
        Contains(
            "tensor_tensor: runs on engine vector, expected gpsimd (power runs on GpSimd only"));
}

TEST_CASE("tensor_tensor: the operator is binary", "[isa]") {
    CHECK_THAT(
        tensor_tensor(tile(64, 8), tile(128, 8), AluOp::abs),
        Contains(
            "tensor_tensor operand 'op': found unary operator abs, expected a binary operator"));
}

TEST_CASE("tensor_scalar: dst and data have equal P and F", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.tensor_scalar(tile(0, 8), tile(64, 4), AluOp::add, 1.0);
               }),
               Contains("tensor_scalar operand 'data': found P=128 x F=4, expected P=128 x F=8 as "
                        "operand 'dst'"));
}

TEST_CASE("tensor_scalar: a binary op0 needs operand0", "[isa]") {
    CHECK(tensor_scalar(AluOp::abs, [](InstructionRef&) {}) == "");
    CHECK_THAT(tensor_scalar(AluOp::add, [](InstructionRef&) {}),
               Contains("tensor_scalar operand 'operand0': missing, expected an operand for the "
                        "binary operator add"));
}

TEST_CASE("tensor_scalar: op1 and operand1 are given together", "[isa]") {
    CHECK(tensor_scalar(AluOp::multiply, [](InstructionRef& r) {
              r.arg("operand0", 2.0).arg("op1", AluOp::add).arg("operand1", tile(128, 1));
          }) == "");
    CHECK_THAT(
        tensor_scalar(AluOp::multiply,
                      [](InstructionRef& r) { r.arg("operand0", 2.0).arg("operand1", 1.0); }),
        Contains("tensor_scalar operand 'operand1': given without op1, expected op1 and operand1 "
                 "together"));
    CHECK_THAT(tensor_scalar(
                   AluOp::multiply,
                   [](InstructionRef& r) { r.arg("operand0", 2.0).arg("op1", AluOp::subtract); }),
               Contains("tensor_scalar operand 'operand1': missing, expected an operand for the "
                        "binary operator subtract"));
}

TEST_CASE("tensor_scalar: op0 and op1 are both bitvec or both arithmetic", "[isa]") {
    CHECK(tensor_scalar(
              AluOp::bitwise_and,
              [](InstructionRef& r) {
                  r.arg("operand0", 255).arg("op1", AluOp::left_shift).arg("operand1", 2);
              },
              Generation::v2, i32) == "");
    CHECK_THAT(tensor_scalar(
                   AluOp::bitwise_and,
                   [](InstructionRef& r) {
                       r.arg("operand0", 255).arg("op1", AluOp::add).arg("operand1", 2);
                   },
                   Generation::v2, i32),
               Contains("tensor_scalar operand 'op1': found add after op0 bitwise_and, expected "
                        "both bitvec or both arithmetic operators"));
}

TEST_CASE("tensor_scalar: bitvec operators need integer dtypes and the vector engine", "[isa]") {
    CHECK_THAT(tensor_scalar(AluOp::right_shift, [](InstructionRef& r) { r.arg("operand0", 1); }),
               Contains("tensor_scalar operand 'dst': found dtype f32, expected an integer dtype"));
    CHECK_THAT(
        tensor_scalar(
            AluOp::right_shift, [](InstructionRef& r) { r.arg("operand0", tile(128, 1)); },
            Generation::v2, i32),
        Contains("tensor_scalar operand 'operand0': found dtype f32, expected an integer dtype"));
    CHECK_THAT(tensor_scalar(
                   AluOp::right_shift,
                   [](InstructionRef& r) { r.arg("operand0", 1).engine(Engine::gpsimd); },
                   Generation::v2, i32),
               Contains("tensor_scalar: runs on engine gpsimd, expected vector"));
}

TEST_CASE(
    "tensor_scalar: the scalar engine needs v3 and (multiply, add), (multiply, none) or (add, "
    "none)",
    "[isa]") {
    auto on_scalar = [](std::optional<AluOp> op1) {
        return [=](InstructionRef& r) {
            r.engine(Engine::scalar).arg("operand0", 2.0);
            if (op1) r.arg("op1", *op1).arg("operand1", 1.0);
        };
    };
    CHECK(tensor_scalar(AluOp::multiply, on_scalar(AluOp::add), Generation::v3) == "");
    CHECK(tensor_scalar(AluOp::multiply, on_scalar(std::nullopt), Generation::v3) == "");
    CHECK(tensor_scalar(AluOp::add, on_scalar(std::nullopt), Generation::v3) == "");
    CHECK_THAT(tensor_scalar(AluOp::multiply, on_scalar(AluOp::add), Generation::v2),
               Contains("tensor_scalar: tensor_scalar on the Scalar engine (§11.2) needs target v3 "
                        "or later, found target v2"));
    CHECK_THAT(tensor_scalar(AluOp::subtract, on_scalar(std::nullopt), Generation::v3),
               Contains("tensor_scalar operand 'op0': found (subtract, none), expected (multiply, "
                        "add), (multiply, none) or (add, none) on the Scalar engine"));
    CHECK_THAT(tensor_scalar(AluOp::add, on_scalar(AluOp::multiply), Generation::v3),
               Contains("found (add, multiply), expected"));
}

TEST_CASE("tensor_copy: dst and src have equal P and F, and any compute engine may copy", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.tensor_copy(tile(0, 8, bf16), psum(0, 128, 0, f32, {2, 4})).engine(Engine::scalar);
          }) == "");
    CHECK_THAT(
        messages_of([](KernelBuilder& b) { b.tensor_copy(tile(0, 8), sbuf(0, 64, 64, f32, {8})); }),
        Contains(
            "tensor_copy operand 'src': found P=64 x F=8, expected P=128 x F=8 as operand 'dst'"));
}

TEST_CASE("tensor_copy_predicated: dst, src and predicate have equal P and F", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.tensor_copy_predicated(tile(0, 8), tile(64, 8), tile(128, 8, u8));
          }) == "");
    CHECK(messages_of([](KernelBuilder& b) {
              b.tensor_copy_predicated(tile(0, 8), -1.0, psum_tile(0, 8, u32));
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.tensor_copy_predicated(tile(0, 8), tile(64, 8), tile(128, 16, u8));
               }),
               Contains("tensor_copy_predicated operand 'predicate': found P=128 x F=16, expected "
                        "P=128 x F=8"));
    CHECK_THAT(
        messages_of([](KernelBuilder& b) {
            b.tensor_copy_predicated(tile(0, 8), tile(64, 4), tile(128, 8, u8));
        }),
        Contains("tensor_copy_predicated operand 'src': found P=128 x F=4, expected P=128 x F=8"));
}

TEST_CASE("tensor_copy_predicated: the predicate is u8, u16 or u32", "[isa]") {
    CHECK_THAT(
        messages_of(
            [](KernelBuilder& b) { b.tensor_copy_predicated(tile(0, 8), 1.0, tile(128, 8, i8)); }),
        Contains(
            "tensor_copy_predicated operand 'predicate': found dtype i8, expected u8, u16 or u32"));
}

TEST_CASE("tensor_copy_predicated: src and predicate are not both in PSUM", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.tensor_copy_predicated(tile(0, 8), psum_tile(0, 8), psum_tile(64, 8, u8));
               }),
               Contains("tensor_copy_predicated operand 'predicate': found in PSUM together with "
                        "operand 'src'"));
}

TEST_CASE("tensor_copy_predicated: src has the dtype of dst", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.tensor_copy_predicated(tile(0, 8), tile(64, 8, bf16), tile(128, 8, u8));
               }),
               Contains("tensor_copy_predicated operand 'src': found dtype bf16, expected f32 as "
                        "operand 'dst' (the predicated copy does not convert"));
}

TEST_CASE("select_reduce: dst, on_true and predicate have equal P and F", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.select_reduce(tile(0, 8), tile(64, 8, u8), tile(128, 8, bf16), tile(256, 1));
          }) == "");
    CHECK_THAT(
        messages_of([](KernelBuilder& b) {
            b.select_reduce(tile(0, 8), tile(64, 8, u8), tile(128, 4), -1.0);
        }),
        Contains("select_reduce operand 'on_true': found P=128 x F=4, expected P=128 x F=8"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.select_reduce(tile(0, 8), tile(64, 16, u8), tile(128, 8), -1.0);
               }),
               Contains("select_reduce operand 'predicate': found P=128 x F=16"));
}

TEST_CASE("select_reduce: the predicate is i8, u8, i16 or u16", "[isa]") {
    CHECK_THAT(
        messages_of([](KernelBuilder& b) {
            b.select_reduce(tile(0, 8), tile(64, 8, u32), tile(128, 8), -1.0);
        }),
        Contains(
            "select_reduce operand 'predicate': found dtype u32, expected i8, u8, i16 or u16"));
}

TEST_CASE("select_reduce: on_true is not tf32, i32 or u32", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.select_reduce(tile(0, 8), tile(64, 8, u8), tile(128, 8, i32), -1.0);
               }),
               Contains("select_reduce operand 'on_true': found dtype i32, expected any dtype but "
                        "tf32, i32 or u32"));
}

TEST_CASE("select_reduce: on_true and predicate are not both in PSUM", "[isa]") {
    CHECK_THAT(
        messages_of([](KernelBuilder& b) {
            b.select_reduce(tile(0, 8), psum_tile(0, 8, u8), psum_tile(64, 8), -1.0);
        }),
        Contains(
            "select_reduce operand 'predicate': found in PSUM together with operand 'on_true'"));
}

TEST_CASE("select_reduce: reduce_res is a [P,1] float vector", "[isa]") {
    auto with_res = [](AccessPattern res) {
        return messages_of([&](KernelBuilder& b) {
            b.select_reduce(tile(0, 8), tile(64, 8, u8), tile(128, 8), -1.0)
                .arg("reduce_res", res)
                .arg("reduce_cmd", ReduceCmd::reset_reduce);
        });
    };
    CHECK(with_res(tile(256, 1, bf16)) == "");
    CHECK_THAT(
        with_res(tile(256, 1, i32)),
        Contains("select_reduce operand 'reduce_res': found dtype i32, expected a float dtype"));
    CHECK_THAT(with_res(tile(256, 2)), Contains("select_reduce operand 'reduce_res': found P=128 x "
                                                "F=2, expected a per-partition vector [P,1]"));
}

TEST_CASE("memset: an integer destination takes an integer within its range", "[isa]") {
    auto fill = [](DType t, double v) {
        return messages_of([&](KernelBuilder& b) { b.memset(tile(0, 8, t), v); });
    };
    CHECK(fill(u8, 255) == "");
    CHECK(fill(i8, -128) == "");
    CHECK(fill(i32, -2147483648.0) == "");
    CHECK(fill(f32, 0.5) == "");
    CHECK_THAT(fill(i16, 2.5), Contains("instruction #0 (memset): memset operand 'value': found "
                                        "2.5, expected an integer (the dtype of 'dst' is i16"));
    CHECK_THAT(fill(u8, 300), Contains("memset operand 'value': found 300, expected an integer "
                                       "within [0, 255] (the range of u8"));
    CHECK_THAT(fill(u16, -1), Contains("expected an integer within [0, 65535]"));
    CHECK_THAT(fill(DType::bool_, 2), Contains("expected an integer within [0, 1]"));
    CHECK_THAT(fill(i32, std::nan("")), Contains("found nan, expected an integer"));
}

TEST_CASE("reciprocal: dst and data have equal P and F", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) { b.reciprocal(tile(0, 1), psum_tile(0, 1)); }) == "");
    CHECK_THAT(
        messages_of([](KernelBuilder& b) { b.reciprocal(tile(0, 1), tile(64, 2)); }),
        Contains(
            "reciprocal operand 'data': found P=128 x F=2, expected P=128 x F=1 as operand 'dst'"));
}

TEST_CASE("tensor_tensor_scan: data0 and data1 of dst's shape, binary arithmetic op0 and op1",
          "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.tensor_tensor_scan(tile(0, 8), tile(64, 8), psum_tile(0, 8), 0.0, AluOp::multiply,
                                   AluOp::add);
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.tensor_tensor_scan(tile(0, 8), tile(64, 8), tile(128, 4), 0.0, AluOp::multiply,
                                        AluOp::add);
               }),
               Contains("tensor_tensor_scan operand 'data1': found P=128 x F=4, expected P=128 x "
                        "F=8 as operand 'dst'"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.tensor_tensor_scan(tile(0, 8), tile(64, 8), tile(128, 8), 0.0, AluOp::abs,
                                        AluOp::add);
               }),
               Contains("found abs, expected a binary arithmetic operator (§11.6)"));
}

TEST_CASE("scalar_tensor_tensor: operand1 of dst's shape, binary arithmetic op0 and op1", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.scalar_tensor_tensor(tile(0, 8), tile(64, 8), AluOp::subtract, 1.0, AluOp::multiply,
                                     psum_tile(0, 8));
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.scalar_tensor_tensor(tile(0, 8), tile(64, 8), AluOp::subtract, 1.0,
                                          AluOp::multiply, tile(128, 2));
               }),
               Contains("scalar_tensor_tensor operand 'operand1': found P=128 x F=2, expected "
                        "P=128 x F=8 as operand 'dst'"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.scalar_tensor_tensor(tile(0, 8), tile(64, 8), AluOp::subtract, 1.0,
                                          AluOp::bitwise_and, tile(128, 8));
               }),
               Contains("found bitwise_and, expected a binary arithmetic operator (§11.3)"));
}

TEST_CASE(
    "tensor_scalar_reduce: arithmetic op0, a reduce_op of the four, reduce_init with "
    "load_reduce only",
    "[isa]") {
    const auto tsr = [](AluOp op0, AluOp reduce_op,
                        const std::function<void(InstructionRef&)>& more) {
        return messages_of([&](KernelBuilder& b) {
            auto ref = b.tensor_scalar_reduce(tile(0, 8), tile(64, 8), op0, 2.0, reduce_op);
            more(ref);
        });
    };
    const auto nothing = [](InstructionRef&) {};
    CHECK(tsr(AluOp::multiply, AluOp::add,
              [](InstructionRef& r) { r.arg("reduce_res", tile(128, 1)); }) == "");
    CHECK(tsr(AluOp::add, AluOp::maximum, [](InstructionRef& r) {
              r.arg("reduce_cmd", ReduceCmd::load_reduce).arg("reduce_init", 1.0);
          }) == "");
    CHECK_THAT(tsr(AluOp::bitwise_and, AluOp::add, nothing),
               Contains("found bitwise_and, expected a binary arithmetic operator (§11.4)"));
    CHECK_THAT(tsr(AluOp::add, AluOp::subtract, nothing),
               Contains("'reduce_op': found subtract, expected add, multiply, maximum or minimum"));
    CHECK_THAT(
        tsr(AluOp::add, AluOp::add, [](InstructionRef& r) { r.arg("reduce_res", tile(128, 2)); }),
        Contains("'reduce_res': found P=128 x F=2, expected a per-partition vector [P,1]"));
    CHECK_THAT(tsr(AluOp::add, AluOp::add,
                   [](InstructionRef& r) { r.arg("reduce_cmd", ReduceCmd::load_reduce); }),
               Contains("load_reduce without reduce_init"));
    CHECK_THAT(tsr(AluOp::add, AluOp::add, [](InstructionRef& r) { r.arg("reduce_init", 1.0); }),
               Contains("'reduce_init': given without reduce_cmd load_reduce"));
}

TEST_CASE("range_select: v3, comparisons, fp32 [P,1] bounds, maximum, FP32_MIN off value",
          "[isa]") {
    const auto rs = [](AluOp op0, const std::function<void(InstructionRef&)>& more,
                       Generation g = Generation::v3, DType bound = f32) {
        return messages_of(
            [&](KernelBuilder& b) {
                auto r = b.range_select(tile(0, 8), tile(64, 8), op0, AluOp::less,
                                        tile(128, 1, bound), tile(132, 1));
                more(r);
            },
            g);
    };
    const auto nothing = [](InstructionRef&) {};
    CHECK(rs(AluOp::greater_equal, [](InstructionRef& r) {
              r.arg("reduce_res", tile(136, 1))
                  .arg("reduce_op", AluOp::maximum)
                  .arg("range_start", 64)
                  .arg("on_false_value", -3.4028235e38);
          }) == "");
    CHECK_THAT(rs(AluOp::greater_equal, nothing, Generation::v2),
               Contains("range_select (§11.14) needs target v3 or later, found target v2"));
    CHECK_THAT(rs(AluOp::not_equal, nothing),
               Contains("'comp_op0': found not_equal, expected equal, less, less_equal, greater or "
                        "greater_equal (§11.14)"));
    CHECK_THAT(rs(AluOp::greater_equal, nothing, Generation::v3, DType::bfloat16),
               Contains("range_select operand 'bound0': found dtype bf16, expected f32"));
    CHECK_THAT(rs(AluOp::greater, [](InstructionRef& r) { r.arg("reduce_op", AluOp::add); }),
               Contains("'reduce_op': found add, expected maximum (§11.14)"));
    CHECK_THAT(rs(AluOp::greater, [](InstructionRef& r) { r.arg("on_false_value", 0.0); }),
               Contains("'on_false_value': found 0, expected -3.4028235e+38, the fp32 minimum"));
}

TEST_CASE("dropout: dst of data's shape and dtype, prob in [0, 1], fp32 prob for integer data",
          "[isa]") {
    const auto drop = [](AccessPattern dst, AccessPattern data, Operand prob) {
        return messages_of([&](KernelBuilder& b) { b.dropout(dst, data, prob); });
    };
    CHECK(drop(tile(0, 8), tile(64, 8), 0.1) == "");
    CHECK(drop(tile(0, 8, DType::int32), tile(64, 8, DType::int32), tile(128, 1)) == "");
    CHECK_THAT(drop(tile(0, 8, bf16), tile(64, 8), 0.1),
               Contains("dropout operand 'dst': found dtype bf16, expected f32 as operand 'data'"));
    CHECK_THAT(drop(tile(0, 8), tile(64, 8), 1.5),
               Contains("'prob': found 1.5, expected a probability in [0, 1] (§11.15)"));
    CHECK_THAT(drop(tile(0, 8, DType::int32), tile(64, 8, DType::int32), tile(128, 1, bf16)),
               Contains("dropout operand 'prob': found dtype bf16, expected f32"));
}
