#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "isa/kernel_builder.h"
#include "isa/kernel_text.h"
#include "sim/core/instruction_registry.h"
#include "sim/timing/cost_model.h"

using namespace nsim::isa;
using namespace nsim::sim;

namespace {

using Build = std::function<void(KernelBuilder&)>;

// One builder call per opcode, on small SBUF tiles; an opcode missing here fails the test below.
std::map<Opcode, Build> builder_calls() {
    const AccessPattern a = sbuf(0, 128, 0, DType::float32, {64});
    const AccessPattern b = sbuf(0, 128, 256, DType::float32, {64});
    const AccessPattern s = sbuf(0, 128, 512, DType::float32, {1});
    const AccessPattern p = psum(0, 128, 0, DType::float32, {64});
    const std::vector<FreeDim> group{{1, 2}};
    return {
        {Opcode::nc_matmul, [=](KernelBuilder& k) { k.nc_matmul(p, a, b); }},
        {Opcode::nc_transpose, [=](KernelBuilder& k) { k.nc_transpose(p, a); }},
        {Opcode::activation, [=](KernelBuilder& k) { k.activation(a, ActFunc::exp, b); }},
        {Opcode::tensor_tensor, [=](KernelBuilder& k) { k.tensor_tensor(a, a, b, AluOp::add); }},
        {Opcode::tensor_scalar,
         [=](KernelBuilder& k) { k.tensor_scalar(a, b, AluOp::multiply, 2.0); }},
        {Opcode::tensor_reduce, [=](KernelBuilder& k) { k.tensor_reduce(s, AluOp::add, a, 1); }},
        {Opcode::tensor_copy, [=](KernelBuilder& k) { k.tensor_copy(a, b); }},
        {Opcode::tensor_copy_predicated,
         [=](KernelBuilder& k) { k.tensor_copy_predicated(a, b, b); }},
        {Opcode::select_reduce, [=](KernelBuilder& k) { k.select_reduce(a, b, b, 0.0); }},
        {Opcode::memset, [=](KernelBuilder& k) { k.memset(a, 1.0); }},
        {Opcode::iota,
         [=](KernelBuilder& k) {
             k.iota(a, {{1, 64}});
         }},
        {Opcode::affine_select,
         [=](KernelBuilder& k) {
             k.affine_select(a, {{1, 64}}, -1, b, 0.0);
         }},
        {Opcode::bn_stats, [=](KernelBuilder& k) { k.bn_stats(a, b); }},
        {Opcode::bn_aggr, [=](KernelBuilder& k) { k.bn_aggr(a, b); }},
        {Opcode::reciprocal, [=](KernelBuilder& k) { k.reciprocal(a, b); }},
        {Opcode::tensor_tensor_scan,
         [=](KernelBuilder& k) { k.tensor_tensor_scan(a, a, b, s, AluOp::multiply, AluOp::add); }},
        {Opcode::scalar_tensor_tensor,
         [=](KernelBuilder& k) {
             k.scalar_tensor_tensor(a, a, AluOp::subtract, s, AluOp::multiply, b);
         }},
        {Opcode::tensor_scalar_reduce,
         [=](KernelBuilder& k) {
             k.tensor_scalar_reduce(a, b, AluOp::multiply, 2.0, AluOp::add).arg("reduce_res", s);
         }},
        {Opcode::activation_reduce,
         [=](KernelBuilder& k) { k.activation_reduce(a, ActFunc::exp, b, AluOp::add, s); }},
        {Opcode::tensor_partition_reduce,
         [=](KernelBuilder& k) {
             k.tensor_partition_reduce(sbuf(0, 1, 0, DType::float32, {64}), AluOp::add, b);
         }},
        {Opcode::max8,
         [=](KernelBuilder& k) { k.max8(sbuf(0, 128, 512, DType::float32, {8}), a); }},
        {Opcode::nc_find_index8,
         [=](KernelBuilder& k) {
             k.nc_find_index8(sbuf(0, 128, 512, DType::uint32, {8}), a,
                              sbuf(0, 128, 1024, DType::float32, {8}));
         }},
        {Opcode::nc_match_replace8,
         [=](KernelBuilder& k) {
             k.nc_match_replace8(b, a, sbuf(0, 128, 1024, DType::float32, {8}), -1.0)
                 .arg("dst_idx", sbuf(0, 128, 512, DType::uint32, {8}));
         }},
        {Opcode::range_select,
         [=](KernelBuilder& k) {
             k.range_select(a, b, AluOp::greater_equal, AluOp::less, s, s).arg("reduce_res", s);
         }},
        {Opcode::dropout, [=](KernelBuilder& k) { k.dropout(a, b, s); }},
        {Opcode::nc_stream_shuffle,
         [=](KernelBuilder& k) {
             std::vector<int64_t> reverse(32);
             for (int64_t i = 0; i < 32; ++i) reverse[size_t(i)] = 31 - i;
             k.nc_stream_shuffle(a, b, reverse);
         }},
        {Opcode::dma_copy, [=](KernelBuilder& k) { k.dma_copy(a, k.hbm("x", 0, 128, 0, {64})); }},
        {Opcode::dma_transpose,
         [=](KernelBuilder& k) {
             k.dma_transpose(sbuf(0, 64, 1024, DType::float32, {128}), a).arg("queue", 1);
         }},
        {Opcode::all_reduce, [=](KernelBuilder& k) { k.all_reduce(a, b, group); }},
        {Opcode::all_gather, [=](KernelBuilder& k) { k.all_gather(a, b, group); }},
        {Opcode::reduce_scatter, [=](KernelBuilder& k) { k.reduce_scatter(a, b, group); }},
        {Opcode::send, [=](KernelBuilder& k) { k.send(a, 1); }},
        {Opcode::recv, [=](KernelBuilder& k) { k.recv(a, 1); }},
        {Opcode::custom_op, [=](KernelBuilder& k) { k.custom_op("clip", a); }},
    };
}

}  // namespace

TEST_CASE("instruction registry: every opcode has a cost and semantics or a reason for none",
          "[sim]") {
    const InstructionRegistry& registry = instruction_registry();
    for (int i = 0; i < kOpcodeCount; ++i) {
        const auto op = Opcode(i);
        INFO(opcode_info(op).name);
        CHECK(registry[op].cost != nullptr);
        CHECK((registry[op].semantics != nullptr) != !registry[op].none_because.empty());
    }
    // Only the collectives compute nothing on the core.
    CHECK_FALSE(registry[Opcode::all_reduce].none_because.empty());
    CHECK(registry[Opcode::nc_matmul].semantics != nullptr);
}

TEST_CASE("instruction registry: every opcode is built by the builder and round-trips as text",
          "[sim]") {
    const auto calls = builder_calls();
    for (int i = 0; i < kOpcodeCount; ++i) {
        const auto op = Opcode(i);
        INFO(opcode_info(op).name);
        const auto call = calls.find(op);
        REQUIRE(call != calls.end());
        KernelBuilder k(std::string(opcode_info(op).name), Generation::v2);
        k.tensor("x", {128, 64}, DType::float32, TensorRole::input);
        call->second(k);
        const Program built = k.build();
        REQUIRE(built.instructions.size() == 1);
        CHECK(built.instructions[0].op == op);
        CHECK(parse_kernel(print_kernel(built), "built") == built);
    }
}

TEST_CASE("instruction registry: a duplicate or missing registration is caught", "[sim]") {
    std::vector<OpcodeCost> costs;
    std::vector<OpcodeSemantics> semantics;
    for (int i = 0; i < kOpcodeCount; ++i) {
        costs.push_back({Opcode(i), instruction_registry()[Opcode(i)].cost});
        semantics.push_back({Opcode(i), nullptr, "a test"});
    }
    CHECK_NOTHROW(InstructionRegistry(costs, semantics));

    auto twice = costs;
    twice.push_back(costs.front());
    CHECK_THROWS_WITH(InstructionRegistry(twice, semantics),
                      "instruction registry: nc_matmul has two cost functions");
    auto twice_semantics = semantics;
    twice_semantics.push_back(semantics.back());
    CHECK_THROWS_WITH(InstructionRegistry(costs, twice_semantics),
                      "instruction registry: custom_op has two semantics entries");

    auto no_cost = costs;
    no_cost.pop_back();
    CHECK_THROWS_WITH(InstructionRegistry(no_cost, semantics),
                      "instruction registry: custom_op has no cost function");
    auto no_reason = semantics;
    no_reason.back().none_because = {};
    CHECK_THROWS_WITH(InstructionRegistry(costs, no_reason),
                      "instruction registry: custom_op has no semantics and no reason for having "
                      "none");
}
