// Tests of KernelBuilder: the Programs it builds, opcode by opcode, and the misuse it rejects.
#include "verify_helpers.h"

using namespace nsim::isa;
using namespace nsim::isa::test;

namespace {

// The instruction the parser would produce for `op` with these operands set (the others unset).
Instruction expected(Opcode op, std::vector<std::pair<std::string_view, ArgValue>> operands) {
    Instruction inst = Instruction::make(op);
    for (auto& [name, value] : operands) inst.args[size_t(arg_index(op, name))] = std::move(value);
    return inst;
}

Instruction only(const KernelBuilder& b) { return b.build().instructions.at(0); }

Instruction emitted(Opcode op, std::initializer_list<NamedOperand> operands) {
    KernelBuilder b("k", Generation::v2);
    b.emit(op, operands);
    return b.build().instructions.at(0);
}

template <class E>
int64_t code(E e) {
    return int64_t(e);
}

}  // namespace

TEST_CASE("builder: on-chip helpers make contiguous and explicit patterns", "[isa]") {
    const AccessPattern t = sbuf(32, 32, 256, bf16, {4, 64});
    CHECK(t.space == MemSpace::sbuf);
    CHECK(t.start_partition == 32);
    CHECK(t.num_partitions == 32);
    CHECK(t.byte_offset == 256);
    CHECK(t.dims == std::vector<FreeDim>{{64, 4}, {1, 64}});
    CHECK(t == sbuf_pattern(32, 32, 256, bf16, {{64, 4}, {1, 64}}));
    CHECK(psum(0, 128, 0, f32, {512}).space == MemSpace::psum);
    CHECK(psum_pattern(0, 1, 0, f32, {{2, 3}}).dims == std::vector<FreeDim>{{2, 3}});
    CHECK_THROWS_AS(sbuf(0, 1, 0, f32, {}), std::invalid_argument);
    CHECK_THROWS_AS(sbuf(0, 1, 0, f32, {1, 2, 3, 4, 5}), std::invalid_argument);
    CHECK_THROWS_AS(sbuf(0, 1, 0, f32, {1ull << 33}), std::invalid_argument);
    CHECK(rows(t, 64, 16).start_partition == 64);
    CHECK(rows(t, 64, 16).num_partitions == 16);
}

TEST_CASE("builder: tensor() declares a tensor and returns its whole-tensor pattern", "[isa]") {
    KernelBuilder b("k", Generation::v3);
    const AccessPattern x = b.tensor("x", {128, 4, 64}, bf16, TensorRole::weight);
    const Program p = b.build();
    REQUIRE(p.tensors.size() == 1);
    CHECK(p.tensors[0].shape == std::vector<uint64_t>{128, 4, 64});
    CHECK(p.tensors[0].role == TensorRole::weight);
    CHECK(x == whole_tensor(p.tensors[0]));
    CHECK(p.name == "k");
    CHECK(p.target == Generation::v3);
    CHECK_THROWS_AS(b.tensor("x", {1}, f32, TensorRole::input), std::invalid_argument);
    // A whole-tensor pattern has rows and at most 4 free dims: a sixth dimension is refused.
    CHECK_THROWS_WITH(b.tensor("y", {2, 2, 2, 2, 2, 2}, f32, TensorRole::input),
                      Catch::Contains("tensor 'y' has 6 dimensions, expected at most 5"));
    CHECK(b.build().tensors.size() == 1);  // nothing was declared
    CHECK(b.tensor("y", {2, 2, 2, 2, 2}, f32, TensorRole::input).dims.size() == 4);
}

TEST_CASE("builder: hbm() slices rows and columns of a tensor", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.tensor("x", {256, 512}, f32, TensorRole::input);
    const AccessPattern s = b.hbm("x", 128, 64, 256, {2, 128});
    CHECK(s.space == MemSpace::hbm);
    CHECK(s.tensor == "x");
    CHECK(s.start_partition == 128);
    CHECK(s.num_partitions == 64);
    CHECK(s.byte_offset == 1024);
    CHECK(s.partition_stride_bytes == 2048);
    CHECK(s.dims == std::vector<FreeDim>{{128, 2}, {1, 128}});
    CHECK_THROWS_AS(b.hbm("nope", 0, 1, 0, {1}), std::invalid_argument);
}

TEST_CASE("builder: emit stores each opcode's operands as the parser does", "[isa]") {
    const AccessPattern d = tile(0, 8), a = tile(32, 8), v = tile(64, 1), pr = tile(128, 8, u8);
    const std::vector<FreeDim> pat = {{1, 8}};
    CHECK(emitted(
              Opcode::nc_matmul,
              {{"dst", psum_tile(0, 8)}, {"stationary", a}, {"moving", d}, {"accumulate", true}}) ==
          expected(
              Opcode::nc_matmul,
              {{"dst", psum_tile(0, 8)}, {"stationary", a}, {"moving", d}, {"accumulate", true}}));
    CHECK(emitted(Opcode::nc_transpose, {{"dst", d}, {"data", a}}) ==
          expected(Opcode::nc_transpose, {{"dst", d}, {"data", a}}));
    CHECK(emitted(Opcode::activation, {{"dst", d},
                                       {"op", ActFunc::gelu},
                                       {"data", a},
                                       {"scale", 0.1},
                                       {"bias", v},
                                       {"reduce_op", AluOp::add},
                                       {"reduce_cmd", ReduceCmd::reset_reduce},
                                       {"reduce_res", v}}) ==
          expected(Opcode::activation, {{"dst", d},
                                        {"op", code(ActFunc::gelu)},
                                        {"data", a},
                                        {"scale", double(0.1f)},
                                        {"bias", v},
                                        {"reduce_op", code(AluOp::add)},
                                        {"reduce_cmd", code(ReduceCmd::reset_reduce)},
                                        {"reduce_res", v}}));
    CHECK(emitted(Opcode::tensor_tensor,
                  {{"dst", d}, {"data1", a}, {"data2", d}, {"op", AluOp::subtract}}) ==
          expected(Opcode::tensor_tensor,
                   {{"dst", d}, {"data1", a}, {"data2", d}, {"op", code(AluOp::subtract)}}));
    CHECK(emitted(Opcode::tensor_scalar, {{"dst", d},
                                          {"data", a},
                                          {"op0", AluOp::multiply},
                                          {"operand0", 3},
                                          {"reverse0", true},
                                          {"op1", AluOp::add},
                                          {"operand1", v},
                                          {"reverse1", false}}) ==
          expected(Opcode::tensor_scalar, {{"dst", d},
                                           {"data", a},
                                           {"op0", code(AluOp::multiply)},
                                           {"operand0", 3.0},
                                           {"reverse0", true},
                                           {"op1", code(AluOp::add)},
                                           {"operand1", v},
                                           {"reverse1", false}}));
    CHECK(emitted(Opcode::tensor_reduce, {{"dst", v},
                                          {"op", AluOp::maximum},
                                          {"data", a},
                                          {"axis", 1},
                                          {"negate", true},
                                          {"keepdims", false}}) ==
          expected(Opcode::tensor_reduce, {{"dst", v},
                                           {"op", code(AluOp::maximum)},
                                           {"data", a},
                                           {"axis", int64_t(1)},
                                           {"negate", true},
                                           {"keepdims", false}}));
    CHECK(emitted(Opcode::tensor_copy, {{"dst", d}, {"src", a}}) ==
          expected(Opcode::tensor_copy, {{"dst", d}, {"src", a}}));
    CHECK(emitted(Opcode::tensor_copy_predicated,
                  {{"dst", d}, {"src", -1.5f}, {"predicate", pr}, {"reverse_pred", true}}) ==
          expected(Opcode::tensor_copy_predicated,
                   {{"dst", d}, {"src", -1.5}, {"predicate", pr}, {"reverse_pred", true}}));
    CHECK(emitted(Opcode::select_reduce, {{"dst", d},
                                          {"predicate", pr},
                                          {"on_true", a},
                                          {"on_false", v},
                                          {"reduce_res", v},
                                          {"reduce_cmd", ReduceCmd::reduce},
                                          {"reverse_pred", false}}) ==
          expected(Opcode::select_reduce, {{"dst", d},
                                           {"predicate", pr},
                                           {"on_true", a},
                                           {"on_false", v},
                                           {"reduce_res", v},
                                           {"reduce_cmd", code(ReduceCmd::reduce)},
                                           {"reverse_pred", false}}));
    CHECK(emitted(Opcode::memset, {{"dst", d}, {"value", 1e-40}}) ==
          expected(Opcode::memset, {{"dst", d}, {"value", double(float(1e-40))}}));
    CHECK(emitted(Opcode::iota,
                  {{"dst", d}, {"pattern", pat}, {"offset", -3}, {"channel_multiplier", 8}}) ==
          expected(Opcode::iota, {{"dst", d},
                                  {"pattern", pat},
                                  {"offset", int64_t(-3)},
                                  {"channel_multiplier", int64_t(8)}}));
    CHECK(emitted(Opcode::affine_select, {{"dst", d},
                                          {"pattern", pat},
                                          {"channel_multiplier", 1},
                                          {"on_true_tile", a},
                                          {"on_false_value", -3.4e38},
                                          {"cmp_op", AluOp::greater_equal},
                                          {"offset", 5}}) ==
          expected(Opcode::affine_select, {{"dst", d},
                                           {"pattern", pat},
                                           {"channel_multiplier", int64_t(1)},
                                           {"on_true_tile", a},
                                           {"on_false_value", double(float(-3.4e38))},
                                           {"cmp_op", code(AluOp::greater_equal)},
                                           {"offset", int64_t(5)}}));
    CHECK(emitted(Opcode::bn_stats, {{"dst", d}, {"data", a}}) ==
          expected(Opcode::bn_stats, {{"dst", d}, {"data", a}}));
    CHECK(emitted(Opcode::bn_aggr, {{"dst", d}, {"data", a}}) ==
          expected(Opcode::bn_aggr, {{"dst", d}, {"data", a}}));
    CHECK(emitted(Opcode::reciprocal, {{"dst", d}, {"data", a}}) ==
          expected(Opcode::reciprocal, {{"dst", d}, {"data", a}}));
    CHECK(emitted(Opcode::dma_copy, {{"dst", d}, {"src", a}, {"queue", 3u}}) ==
          expected(Opcode::dma_copy, {{"dst", d}, {"src", a}, {"queue", int64_t(3)}}));
    CHECK(emitted(Opcode::custom_op, {{"name", "topk"}, {"dst", d}, {"src0", a}, {"imm0", 2}}) ==
          expected(Opcode::custom_op,
                   {{"name", std::string("topk")}, {"dst", d}, {"src0", a}, {"imm0", 2.0}}));
}

TEST_CASE("builder: emitted instructions run on the opcode's default engine", "[isa]") {
    for (int i = 0; i < kOpcodeCount; ++i) {
        const Opcode op = Opcode(i);
        CHECK(emitted(op, {}).engine == opcode_info(op).default_engine);
        CHECK(emitted(op, {}).args.size() == opcode_info(op).args.size());
    }
}

TEST_CASE("builder: convenience calls equal the generic emit", "[isa]") {
    const AccessPattern d = tile(0, 8), a = tile(32, 8), v = tile(64, 1), pr = tile(128, 8, u8);
    const std::vector<FreeDim> pat = {{1, 8}};
    KernelBuilder b("k", Generation::v2), g("k", Generation::v2);
    b.nc_matmul(psum_tile(0, 8), a, d);
    g.emit(Opcode::nc_matmul, {{"dst", psum_tile(0, 8)}, {"stationary", a}, {"moving", d}});
    b.nc_transpose(d, a);
    g.emit(Opcode::nc_transpose, {{"dst", d}, {"data", a}});
    b.activation(d, ActFunc::exp, a);
    g.emit(Opcode::activation, {{"dst", d}, {"op", ActFunc::exp}, {"data", a}});
    b.tensor_tensor(d, a, d, AluOp::add);
    g.emit(Opcode::tensor_tensor, {{"dst", d}, {"data1", a}, {"data2", d}, {"op", AluOp::add}});
    b.tensor_scalar(d, a, AluOp::add, 1.0);
    g.emit(Opcode::tensor_scalar,
           {{"dst", d}, {"data", a}, {"op0", AluOp::add}, {"operand0", 1.0}});
    b.tensor_reduce(v, AluOp::add, a, 1);
    g.emit(Opcode::tensor_reduce, {{"dst", v}, {"op", AluOp::add}, {"data", a}, {"axis", 1}});
    b.tensor_copy(d, a);
    g.emit(Opcode::tensor_copy, {{"dst", d}, {"src", a}});
    b.tensor_copy_predicated(d, a, pr);
    g.emit(Opcode::tensor_copy_predicated, {{"dst", d}, {"src", a}, {"predicate", pr}});
    b.select_reduce(d, pr, a, -1.0);
    g.emit(Opcode::select_reduce,
           {{"dst", d}, {"predicate", pr}, {"on_true", a}, {"on_false", -1.0}});
    b.memset(d, 0.0);
    g.emit(Opcode::memset, {{"dst", d}, {"value", 0.0}});
    b.iota(d, pat);
    g.emit(Opcode::iota, {{"dst", d}, {"pattern", pat}});
    b.affine_select(d, pat, 1, a, -1.0);
    g.emit(Opcode::affine_select, {{"dst", d},
                                   {"pattern", pat},
                                   {"channel_multiplier", 1},
                                   {"on_true_tile", a},
                                   {"on_false_value", -1.0}});
    b.bn_stats(d, a);
    g.emit(Opcode::bn_stats, {{"dst", d}, {"data", a}});
    b.bn_aggr(d, a);
    g.emit(Opcode::bn_aggr, {{"dst", d}, {"data", a}});
    b.reciprocal(d, a);
    g.emit(Opcode::reciprocal, {{"dst", d}, {"data", a}});
    b.tensor_tensor_scan(d, a, d, 0.0, AluOp::multiply, AluOp::add);
    g.emit(Opcode::tensor_tensor_scan, {{"dst", d},
                                        {"data0", a},
                                        {"data1", d},
                                        {"initial", 0.0},
                                        {"op0", AluOp::multiply},
                                        {"op1", AluOp::add}});
    b.scalar_tensor_tensor(d, a, AluOp::subtract, v, AluOp::multiply, d);
    g.emit(Opcode::scalar_tensor_tensor, {{"dst", d},
                                          {"data", a},
                                          {"op0", AluOp::subtract},
                                          {"operand0", v},
                                          {"op1", AluOp::multiply},
                                          {"operand1", d}});
    b.tensor_scalar_reduce(d, a, AluOp::multiply, v, AluOp::add);
    g.emit(Opcode::tensor_scalar_reduce, {{"dst", d},
                                          {"data", a},
                                          {"op0", AluOp::multiply},
                                          {"operand0", v},
                                          {"reduce_op", AluOp::add}});
    b.activation_reduce(d, ActFunc::exp, a, AluOp::add, v);
    g.emit(Opcode::activation_reduce, {{"dst", d},
                                       {"op", ActFunc::exp},
                                       {"data", a},
                                       {"reduce_op", AluOp::add},
                                       {"reduce_res", v}});
    b.tensor_partition_reduce(d, AluOp::maximum, a);
    g.emit(Opcode::tensor_partition_reduce, {{"dst", d}, {"op", AluOp::maximum}, {"data", a}});
    b.max8(d, a);
    g.emit(Opcode::max8, {{"dst", d}, {"src", a}});
    b.nc_find_index8(d, a, v);
    g.emit(Opcode::nc_find_index8, {{"dst", d}, {"data", a}, {"vals", v}});
    b.nc_match_replace8(d, a, v, -1.0);
    g.emit(Opcode::nc_match_replace8, {{"dst", d}, {"data", a}, {"vals", v}, {"imm", -1.0}});
    b.range_select(d, a, AluOp::greater_equal, AluOp::less, v, v);
    g.emit(Opcode::range_select, {{"dst", d},
                                  {"on_true_tile", a},
                                  {"comp_op0", AluOp::greater_equal},
                                  {"comp_op1", AluOp::less},
                                  {"bound0", v},
                                  {"bound1", v}});
    b.dropout(d, a, 0.25);
    g.emit(Opcode::dropout, {{"dst", d}, {"data", a}, {"prob", 0.25}});
    const std::vector<int64_t> mask(32, 0);
    b.nc_stream_shuffle(d, a, mask);
    g.emit(Opcode::nc_stream_shuffle, {{"dst", d}, {"src", a}, {"shuffle_mask", mask}});
    b.dma_copy(d, a);
    g.emit(Opcode::dma_copy, {{"dst", d}, {"src", a}});
    b.dma_transpose(d, a);
    g.emit(Opcode::dma_transpose, {{"dst", d}, {"src", a}});
    const std::vector<FreeDim> group = {{1, 4}};
    b.all_reduce(d, a, group);
    g.emit(Opcode::all_reduce, {{"dst", d}, {"src", a}, {"group", group}, {"op", AluOp::add}});
    b.all_gather(d, a, group);
    g.emit(Opcode::all_gather, {{"dst", d}, {"src", a}, {"group", group}});
    b.reduce_scatter(d, a, group, AluOp::maximum);
    g.emit(Opcode::reduce_scatter,
           {{"dst", d}, {"src", a}, {"group", group}, {"op", AluOp::maximum}});
    b.send(a, 3);
    g.emit(Opcode::send, {{"src", a}, {"peer", 3}});
    b.recv(d, 2);
    g.emit(Opcode::recv, {{"dst", d}, {"peer", 2}});
    b.custom_op("f", d);
    g.emit(Opcode::custom_op, {{"name", "f"}, {"dst", d}});
    CHECK(b.size() == size_t(kOpcodeCount));
    CHECK(b.build() == g.build());
}

TEST_CASE("builder: instruction refs set engine, semaphores, rounding, operands and comments",
          "[isa]") {
    KernelBuilder b("k", Generation::v2);
    auto ref = b.tensor_copy(tile(0, 8, bf16), tile(32, 8));
    ref.engine(Engine::scalar)
        .wait(1, 2)
        .wait(3, 4)
        .inc(5)
        .inc(6, 7)
        .round(Rounding::stochastic)
        .comment("evict");
    ref.arg("src", tile(64, 8));
    const Instruction in = only(b);
    CHECK(ref.index() == 0);
    CHECK(in.engine == Engine::scalar);
    CHECK(in.waits == std::vector<SemWait>{{1, 2}, {3, 4}});
    CHECK(in.incs == std::vector<SemInc>{{5, 1}, {6, 7}});
    CHECK(in.rounding == Rounding::stochastic);
    CHECK(in.comments == std::vector<std::string>{"evict"});
    CHECK(*in.ap("src") == tile(64, 8));
    CHECK(ref.get() == in);
}

TEST_CASE("builder: emit rejects an operand the opcode does not have", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    CHECK_THROWS_WITH(b.emit(Opcode::tensor_copy, {{"dst", tile(0, 8)}, {"source", tile(32, 8)}}),
                      Contains("tensor_copy has no operand 'source'"));
    CHECK(b.size() == 0);  // a throwing emit appends nothing
    auto ref = b.tensor_copy(tile(0, 8), tile(32, 8));
    CHECK_THROWS_WITH(ref.arg("bias", 1.0), Contains("tensor_copy has no operand 'bias'"));
}

TEST_CASE("builder: emit rejects values of the wrong kind", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    CHECK_THROWS_WITH(
        b.emit(Opcode::tensor_tensor, {{"dst", tile(0, 8)}, {"op", ActFunc::exp}}),
        Contains("tensor_tensor operand 'op': wrong kind of value, expected an AluOp"));
    CHECK_THROWS_WITH(b.emit(Opcode::tensor_reduce, {{"axis", 1.0}}),
                      Contains("tensor_reduce operand 'axis'"));
    CHECK_THROWS_WITH(b.emit(Opcode::activation, {{"data", 2.0}}),
                      Contains("activation operand 'data'"));
    CHECK_THROWS_WITH(b.emit(Opcode::memset, {{"value", tile(0, 1)}}),
                      Contains("memset operand 'value'"));
    CHECK_THROWS_WITH(b.emit(Opcode::nc_matmul, {{"accumulate", 1}}),
                      Contains("nc_matmul operand 'accumulate'"));
    CHECK_THROWS_WITH(b.emit(Opcode::iota, {{"pattern", "x"}}), Contains("iota operand 'pattern'"));
    CHECK_THROWS_WITH(b.emit(Opcode::custom_op, {{"name", 3}}),
                      Contains("custom_op operand 'name'"));
    CHECK_THROWS_AS(b.emit(Opcode::tensor_copy, {{"dst", tile(0, 8)}, {"dst", tile(0, 8)}}),
                    std::invalid_argument);
    CHECK_THROWS_AS(b.emit(Opcode::dma_copy, {{"queue", ~uint64_t(0)}}), std::invalid_argument);
    CHECK(b.size() == 0);
}

TEST_CASE("builder: immediates are rounded to fp32", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.tensor_scalar(tile(0, 8), tile(32, 8), AluOp::add, 0.1)
        .arg("op1", AluOp::multiply)
        .arg("operand1", 16777217);
    const Instruction in = only(b);
    CHECK(std::get<double>(in.arg("operand0")) == double(0.1f));
    CHECK(std::get<double>(in.arg("operand1")) == 16777216.0);
}

TEST_CASE("builder: the streams form orders instructions stably by engine", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.set_form(ProgramForm::streams);
    b.dma_copy(tile(0, 8), tile(32, 8));                                // sync
    b.tensor_copy(tile(0, 8), tile(32, 8)).comment("first vector");     // vector
    b.nc_matmul(psum_tile(0, 8), tile(0, 8, bf16), tile(64, 8, bf16));  // tensor
    b.tensor_copy(tile(0, 8), tile(32, 8)).comment("second vector");    // vector
    const Program p = b.build();
    CHECK(p.form == ProgramForm::streams);
    REQUIRE(p.instructions.size() == 4);
    CHECK(p.instructions[0].op == Opcode::nc_matmul);
    CHECK(p.instructions[1].comments == std::vector<std::string>{"first vector"});
    CHECK(p.instructions[2].comments == std::vector<std::string>{"second vector"});
    CHECK(p.instructions[3].op == Opcode::dma_copy);
    b.set_form(ProgramForm::sequential);
    CHECK(b.build().instructions[0].op == Opcode::dma_copy);  // program order kept
}

TEST_CASE("builder: header comments are kept", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.header_comment("row softmax");
    CHECK(b.build().header_comments == std::vector<std::string>{"row softmax"});
}

TEST_CASE("builder: operands with equal patterns share one, others keep their own", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.tensor_copy(tile(0, 8), tile(32, 8));
    b.tensor_copy(tile(0, 8), tile(64, 8));
    b.tensor_copy(tile(64, 8), tile(32, 8)).arg("src", tile(0, 8));
    const Program p = b.build();
    const auto& i = p.instructions;
    CHECK(i[0].ap("dst") == i[1].ap("dst"));  // one pattern for the equal tiles
    CHECK(i[0].ap("src") != i[1].ap("src"));
    CHECK(*i[0].ap("src") != *i[1].ap("src"));
    CHECK(i[1].ap("src") == i[2].ap("dst"));
    CHECK(i[2].ap("src") == i[0].ap("dst"));  // set after the emit, shared too
}
