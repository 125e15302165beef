// Tests of the verifier's per-opcode rules for reductions and statistics, the GpSimd pattern
// instructions, DMA [src:nki-isa] and custom operators.
#include "verify_helpers.h"

using namespace nsim::isa;
using namespace nsim::isa::test;

namespace {

// tensor_reduce of a [128, 4, 64] f32 tile.
std::string reduce(AccessPattern dst, AluOp op, int64_t axis, DType t = f32) {
    return messages_of([&](KernelBuilder& b) {
        b.tensor_reduce(dst, op, sbuf(0, 128, 0, t, {4, 64}), axis);
    });
}

std::string affine_select(AccessPattern dst, std::vector<FreeDim> pattern, AccessPattern on_true,
                          std::optional<AluOp> cmp = std::nullopt) {
    return messages_of([&](KernelBuilder& b) {
        auto ref = b.affine_select(dst, pattern, 1, on_true, -3.0e38);
        if (cmp) ref.arg("cmp_op", *cmp);
    });
}

}  // namespace

TEST_CASE("tensor_reduce: the operator is a reduction operator", "[isa]") {
    CHECK(reduce(tile(1024, 1), AluOp::maximum, 1) == "");
    CHECK_THAT(reduce(tile(1024, 1), AluOp::divide, 1),
               Contains("instruction #0 (tensor_reduce): tensor_reduce operand 'op': found divide, "
                        "expected a reduction operator"));
}

TEST_CASE("tensor_reduce: axis names a free dim of data", "[isa]") {
    CHECK_THAT(reduce(tile(1024, 1), AluOp::add, 0),
               Contains("tensor_reduce operand 'axis': found 0, expected 1 to 2"));
    CHECK_THAT(reduce(tile(1024, 1), AluOp::add, 3),
               Contains("tensor_reduce operand 'axis': found 3, expected 1 to 2"));
}

TEST_CASE("tensor_reduce: dst keeps the free dims before axis", "[isa]") {
    CHECK(reduce(tile(1024, 4), AluOp::add, 2) == "");
    CHECK(reduce(sbuf(0, 128, 1024, f32, {4, 1}), AluOp::add, 2) == "");  // keepdims: same count
    CHECK_THAT(reduce(tile(1024, 1), AluOp::add, 2),
               Contains("tensor_reduce operand 'dst': free size 1, expected 4 (the product of the "
                        "free dims of 'data' before axis 2"));
    CHECK_THAT(reduce(tile(1024, 4), AluOp::add, 1),
               Contains("tensor_reduce operand 'dst': free size 4, expected 1"));
}

TEST_CASE("tensor_reduce: dst has the partitions of data", "[isa]") {
    CHECK_THAT(
        reduce(sbuf(0, 64, 1024, f32, {1}), AluOp::add, 1),
        Contains(
            "tensor_reduce operand 'dst': found 64 partitions, expected 128 as operand 'data'"));
}

TEST_CASE("tensor_reduce: negate applies to arithmetic operators only", "[isa]") {
    auto negated = [](AluOp op, DType t) {
        return messages_of([&](KernelBuilder& b) {
            b.tensor_reduce(tile(1024, 1, t), op, sbuf(0, 128, 0, t, {4, 64}), 1)
                .arg("negate", true);
        });
    };
    CHECK(negated(AluOp::maximum, f32) == "");
    CHECK_THAT(negated(AluOp::bitwise_or, i32),
               Contains("tensor_reduce operand 'negate': set with operator bitwise_or, expected an "
                        "arithmetic operator"));
    CHECK_THAT(negated(AluOp::logical_and, f32), Contains("set with operator logical_and"));
}

TEST_CASE("tensor_reduce: bitvec operators need integer dtypes", "[isa]") {
    CHECK(reduce(tile(1024, 1, u32), AluOp::bitwise_xor, 1, u32) == "");
    CHECK_THAT(reduce(tile(1024, 1), AluOp::bitwise_xor, 1),
               Contains("tensor_reduce operand 'dst': found dtype f32, expected an integer dtype"));
}

TEST_CASE("bn_stats: data has at most 512 elements per partition", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) { b.bn_stats(tile(4096, 6), tile(0, 512)); }) == "");
    CHECK_THAT(
        messages_of([](KernelBuilder& b) { b.bn_stats(tile(8192, 6), tile(0, 1024)); }),
        Contains(
            "bn_stats operand 'data': free size 1024 exceeds the limit, expected at most 512"));
}

TEST_CASE("bn_stats: dst holds 6 values per partition of data", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) { b.bn_stats(tile(4096, 4), tile(0, 512)); }),
               Contains("bn_stats operand 'dst': free size 4, expected 6"));
    CHECK_THAT(
        messages_of(
            [](KernelBuilder& b) { b.bn_stats(sbuf(0, 64, 4096, f32, {6}), tile(0, 512)); }),
        Contains("bn_stats operand 'dst': found 64 partitions, expected 128 as operand 'data'"));
}

TEST_CASE("bn_aggr: data is whole (count, mean, M2) tuples", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) { b.bn_aggr(tile(64, 2), tile(0, 12)); }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) { b.bn_aggr(tile(64, 2), tile(0, 7)); }),
               Contains("bn_aggr operand 'data': free size 7, expected a positive multiple of 3"));
}

TEST_CASE("bn_aggr: dst holds mean and variance per partition of data", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) { b.bn_aggr(tile(64, 3), tile(0, 12)); }),
               Contains("bn_aggr operand 'dst': free size 3, expected 2 (mean and variance"));
    CHECK_THAT(
        messages_of([](KernelBuilder& b) { b.bn_aggr(sbuf(0, 32, 64, f32, {2}), tile(0, 12)); }),
        Contains("bn_aggr operand 'dst': found 32 partitions, expected 128"));
}

TEST_CASE("iota: the pattern enumerates the destination's elements", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.iota(tile(0, 16, i32), {{1, 4}, {4, 4}}).arg("channel_multiplier", 16);
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.iota(tile(0, 16, i32), {{1, 8}});
               }),
               Contains("instruction #0 (iota): iota operand 'dst': free size 16, expected 8 (the "
                        "element count of 'pattern', §13.1)"));
}

TEST_CASE("iota: dst is in SBUF", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.iota(psum_tile(0, 8, i32), {{1, 8}});
               }),
               Contains("iota operand 'dst': found memory psum, expected sbuf"));
}

TEST_CASE("affine_select: the pattern enumerates the destination's elements", "[isa]") {
    CHECK(affine_select(tile(0, 128), {{-1, 128}}, tile(512, 128, bf16), AluOp::greater_equal) ==
          "");
    CHECK_THAT(affine_select(tile(0, 128), {{-1, 64}}, tile(512, 128)),
               Contains("affine_select operand 'dst': free size 128, expected 64 (the element "
                        "count of 'pattern', §13.2)"));
}

TEST_CASE("affine_select: cmp_op is a comparison", "[isa]") {
    CHECK_THAT(affine_select(tile(0, 128), {{-1, 128}}, tile(512, 128), AluOp::add),
               Contains("affine_select operand 'cmp_op': found add, expected a comparison"));
}

TEST_CASE("affine_select: on_true_tile is an SBUF tile of dst's shape", "[isa]") {
    CHECK_THAT(
        affine_select(tile(0, 128), {{-1, 128}}, tile(512, 64)),
        Contains(
            "affine_select operand 'on_true_tile': found P=128 x F=64, expected P=128 x F=128"));
    CHECK_THAT(affine_select(tile(0, 128), {{-1, 128}}, psum_tile(0, 128)),
               Contains("affine_select operand 'on_true_tile': found memory psum, expected sbuf"));
}

TEST_CASE("dma_copy: source and destination hold the same number of elements", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              AccessPattern x = b.tensor("x", {128, 512}, f32, TensorRole::input);
              b.dma_copy(sbuf(0, 64, 0, bf16, {1024}), x);  // reshaped and cast
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   AccessPattern x = b.tensor("x", {128, 512}, f32, TensorRole::input);
                   b.dma_copy(tile(0, 256), x);
               }),
               Contains("instruction #0 (dma_copy): dma_copy operand 'src': found 65536 elements, "
                        "expected 32768 as operand 'dst'"));
}

TEST_CASE("dma_copy: the queue is one of the target's DMA queues", "[isa]") {
    auto on_queue = [](int64_t q) {
        return messages_of(
            [&](KernelBuilder& b) { b.dma_copy(tile(0, 8), tile(64, 8)).arg("queue", q); });
    };
    CHECK(on_queue(15) == "");
    CHECK_THAT(on_queue(16),
               Contains("dma_copy operand 'queue': found 16, expected a DMA queue 0 to 15"));
    CHECK_THAT(on_queue(-1), Contains("dma_copy operand 'queue': found -1"));
}

TEST_CASE("dma_copy: HBM to HBM copies are legal", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              AccessPattern x = b.tensor("x", {4, 8}, f32, TensorRole::input);
              AccessPattern y = b.tensor("y", {32}, bf16, TensorRole::scratch);
              b.dma_copy(y, x);
          }) == "");
}

TEST_CASE("custom_op: operands are in SBUF", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.custom_op("topk", tile(0, 8)).arg("src0", tile(64, 8)).arg("imm0", 8);
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.custom_op("topk", tile(0, 8)).arg("src0", psum_tile(0, 8));
               }),
               Contains("custom_op operand 'src0': found memory psum, expected sbuf"));
}

TEST_CASE("tensor_partition_reduce: dst is one partition of data's free size, four operators",
          "[isa]") {
    const auto tpr = [](AccessPattern dst, AluOp op, DType t = f32) {
        return messages_of([&](KernelBuilder& b) {
            b.tensor_partition_reduce(dst, op, sbuf(0, 128, 0, t, {32, 4}));
        });
    };
    CHECK(tpr(sbuf(0, 1, 1024, f32, {128}), AluOp::add) == "");
    CHECK(tpr(sbuf(0, 1, 1024, DType::int32, {128}), AluOp::bitwise_or, DType::int32) == "");
    CHECK_THAT(tpr(sbuf(0, 2, 1024, f32, {128}), AluOp::add),
               Contains("'dst': found 2 partitions, expected 1"));
    CHECK_THAT(tpr(sbuf(0, 1, 1024, f32, {64}), AluOp::add),
               Contains("'dst': free size 64, expected 128 (the free size of 'data', §12.2)"));
    CHECK_THAT(tpr(sbuf(0, 1, 1024, f32, {128}), AluOp::multiply),
               Contains("'op': found multiply, expected add, maximum, bitwise_or or bitwise_and"));
    CHECK_THAT(tpr(sbuf(0, 1, 1024, f32, {128}), AluOp::bitwise_and),
               Contains("bitvec operators work on integer bits"));
    CHECK_THAT(tpr(psum(0, 1, 0, f32, {128}), AluOp::add), Contains("psum"));
}

TEST_CASE(
    "max8, nc_find_index8, nc_match_replace8: 8 to 16384 elements searched, 8 per "
    "partition out, integer indices",
    "[isa]") {
    const auto eight = [](uint64_t offset, DType t = f32) { return tile(offset, 8, t); };
    CHECK(messages_of([&](KernelBuilder& b) { b.max8(eight(0), tile(64, 16384)); }) == "");
    CHECK_THAT(messages_of([&](KernelBuilder& b) { b.max8(eight(0), tile(64, 7)); }),
               Contains("max8 operand 'src': free size 7, expected at least 8 (§12.5)"));
    CHECK_THAT(messages_of([&](KernelBuilder& b) { b.max8(eight(0), tile(64, 16385)); }),
               Contains("the top-8 instructions search up to 16384 elements, §12.5"));
    CHECK_THAT(messages_of([&](KernelBuilder& b) { b.max8(tile(0, 4), tile(64, 100)); }),
               Contains("max8 operand 'dst': free size 4, expected 8"));
    CHECK(messages_of([&](KernelBuilder& b) {
              b.nc_find_index8(eight(0, DType::uint16), tile(64, 100), eight(32));
          }) == "");
    CHECK_THAT(messages_of([&](KernelBuilder& b) {
                   b.nc_find_index8(eight(0, DType::int32), tile(64, 100), eight(32));
               }),
               Contains("nc_find_index8 operand 'dst': found dtype i32, expected u32 or u16"));
    CHECK_THAT(messages_of([&](KernelBuilder& b) {
                   b.nc_find_index8(eight(0, DType::uint32), tile(64, 100), tile(32, 9));
               }),
               Contains("nc_find_index8 operand 'vals': free size 9, expected 8"));
    CHECK(messages_of([&](KernelBuilder& b) {
              b.nc_match_replace8(tile(0, 100), tile(512, 100), eight(32), -1.0)
                  .arg("dst_idx", eight(1024, DType::uint32));
          }) == "");
    CHECK_THAT(messages_of([&](KernelBuilder& b) {
                   b.nc_match_replace8(tile(0, 50), tile(512, 100), eight(32), -1.0);
               }),
               Contains("nc_match_replace8 operand 'dst': found P=128 x F=50, expected P=128 x "
                        "F=100"));
    CHECK_THAT(messages_of([&](KernelBuilder& b) {
                   b.nc_match_replace8(tile(0, 100), tile(512, 100), eight(32), -1.0)
                       .arg("dst_idx", eight(1024, f32));
               }),
               Contains("nc_match_replace8 operand 'dst_idx': found dtype f32, expected u32 or "
                        "u16"));
}

TEST_CASE(
    "nc_stream_shuffle: 32 entries within the quadrant or 255, aligned starts, no "
    "conversion",
    "[isa]") {
    const auto shuffle = [](AccessPattern dst, AccessPattern src, std::vector<int64_t> mask) {
        return messages_of([&](KernelBuilder& b) { b.nc_stream_shuffle(dst, src, mask); });
    };
    std::vector<int64_t> swap(32);
    for (int64_t i = 0; i < 32; ++i) swap[size_t(i)] = i ^ 1;
    CHECK(shuffle(tile(0, 8), tile(64, 8), swap) == "");
    CHECK(shuffle(sbuf(32, 32, 0, f32, {8}), sbuf(0, 1, 64, f32, {8}),
                  std::vector<int64_t>(32, 0)) == "");  // broadcast one partition
    CHECK_THAT(shuffle(tile(0, 8), tile(64, 8), {0, 1}),
               Contains("'shuffle_mask': 2 entries, expected 32"));
    auto bad = swap;
    bad[3] = 40;
    CHECK_THAT(shuffle(tile(0, 8), tile(64, 8), bad),
               Contains("entry 3 is 40, expected 0 to 31, or 255"));
    bad[3] = 255;
    CHECK(shuffle(tile(0, 8), tile(64, 8), bad) == "");
    CHECK_THAT(
        shuffle(sbuf(0, 32, 0, f32, {8}), sbuf(0, 4, 64, f32, {8}), swap),
        Contains("entry 4 reads partition 5 of 'src' for quadrant 0, which has 4 partitions"));
    CHECK_THAT(shuffle(sbuf(32, 64, 0, f32, {8}), sbuf(0, 64, 64, f32, {8}), swap),
               Contains("'dst': starts at partition 32, expected a multiple of 64 for 64 active"));
    CHECK_THAT(shuffle(tile(0, 8, bf16), tile(64, 8), swap),
               Contains("nc_stream_shuffle operand 'dst': found dtype bf16, expected f32"));
}

TEST_CASE("dma_transpose: v3, dst is src permuted by axes or NKI's default, no conversion",
          "[isa]") {
    const auto transpose = [](AccessPattern dst, std::vector<uint64_t> src_shape, DType t,
                              const std::function<void(InstructionRef&)>& more,
                              Generation g = Generation::v3) {
        return messages_of(
            [&](KernelBuilder& b) {
                AccessPattern x = b.tensor("x", src_shape, t, TensorRole::input);
                auto r = b.dma_transpose(dst, x);
                more(r);
            },
            g);
    };
    const auto nothing = [](InstructionRef&) {};
    CHECK(transpose(sbuf(0, 128, 0, bf16, {16}), {16, 128}, bf16, nothing) == "");
    CHECK(transpose(sbuf(0, 8, 0, f32, {4, 2}), {2, 4, 8}, f32, nothing) == "");  // (2,1,0)
    CHECK(transpose(sbuf(0, 8, 0, f32, {2, 4}), {2, 4, 8}, f32, [](InstructionRef& r) {
              r.arg("axes", std::vector<int64_t>{2, 0, 1});
          }) == "");
    CHECK_THAT(transpose(sbuf(0, 128, 0, bf16, {16}), {16, 128}, bf16, nothing, Generation::v2),
               Contains("dma_transpose (§14.3) needs target v3 or later, found target v2"));
    CHECK_THAT(transpose(sbuf(0, 128, 0, f32, {16}), {16, 128}, bf16, nothing),
               Contains("dma_transpose operand 'dst': found dtype f32, expected bf16"));
    CHECK_THAT(transpose(sbuf(0, 128, 0, DType::float8_e4m3, {16}), {16, 128}, DType::float8_e4m3,
                         nothing),
               Contains("found dtype f8e4m3, expected a 2- or 4-byte dtype"));
    CHECK_THAT(transpose(sbuf(0, 64, 0, bf16, {32}), {16, 128}, bf16, nothing),
               Contains("dma_transpose operand 'dst': found shape [64,32], expected [128,16] "
                        "('src' [16,128] permuted by axes [1,0], §14.3)"));
    CHECK_THAT(transpose(sbuf(0, 128, 0, bf16, {16}), {16, 128}, bf16,
                         [](InstructionRef& r) {
                             r.arg("axes", std::vector<int64_t>{1, 1});
                         }),
               Contains("'axes': found [1,1], expected a permutation of the 2 dims of 'src'"));
}
