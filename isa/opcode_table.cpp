#include "isa/opcode_table.h"

#include <array>

namespace nsim::isa {

namespace {

constexpr EngineSet T = engine_bit(Engine::tensor), V = engine_bit(Engine::vector),
                    S = engine_bit(Engine::scalar), G = engine_bit(Engine::gpsimd);

using K = ArgKind;
constexpr Access R = Access::read, W = Access::write, RW = Access::read_write;
constexpr bool req = true, opt = false;

// Operand lists follow the current NKI signatures (nki-isa-semantics.md §9-§14), dst first.
const std::array<OpcodeInfo, kOpcodeCount>& table() {
    static const std::array<OpcodeInfo, kOpcodeCount> t = {{
        {Opcode::nc_matmul, "nc_matmul", T, Engine::tensor,
         {{"dst", K::ap, req, W, kPsum},
          {"stationary", K::ap, req, R, kSbuf},
          {"moving", K::ap, req, R, kSbuf},
          {"accumulate", K::boolean, opt}},
         "dst[M,N] (+)= stationary[K,M]^T . moving[K,N] in fp32 PSUM"},
        {Opcode::nc_transpose, "nc_transpose", T | V, Engine::tensor,
         {{"dst", K::ap, req, W, kOnChip}, {"data", K::ap, req, R, kOnChip}},
         "dst[F,P] = data[P,F] (tensor: <=128x128 SBUF->PSUM; vector: <=32x32)"},
        {Opcode::activation, "activation", S, Engine::scalar,
         {{"dst", K::ap, req, W},
          {"op", K::act_func, req},
          {"data", K::ap, req, R},
          {"scale", K::ap_or_imm, opt, R},
          {"bias", K::ap_or_imm, opt, R},
          {"reduce_op", K::alu_op, opt},
          {"reduce_cmd", K::reduce_cmd, opt},
          {"reduce_res", K::ap, opt, W}},
         "dst = op(data * scale + bias), optional per-partition sum into the accumulator"},
        {Opcode::tensor_tensor, "tensor_tensor", V | G, Engine::vector,
         {{"dst", K::ap, req, W}, {"data1", K::ap, req, R}, {"data2", K::ap, req, R},
          {"op", K::alu_op, req}},
         "dst = op(data1, data2) element-wise"},
        {Opcode::tensor_scalar, "tensor_scalar", V | S | G, Engine::vector,
         {{"dst", K::ap, req, W},
          {"data", K::ap, req, R},
          {"op0", K::alu_op, req},
          {"operand0", K::ap_or_imm, opt, R},
          {"reverse0", K::boolean, opt},
          {"op1", K::alu_op, opt},
          {"operand1", K::ap_or_imm, opt, R},
          {"reverse1", K::boolean, opt}},
         "dst = (data op0 operand0) op1 operand1, operands per partition or immediate"},
        {Opcode::tensor_reduce, "tensor_reduce", V, Engine::vector,
         {{"dst", K::ap, req, W},
          {"op", K::alu_op, req},
          {"data", K::ap, req, R},
          {"axis", K::integer, req},
          {"negate", K::boolean, opt},
          {"keepdims", K::boolean, opt}},
         "dst = fold(op) over the free dims from `axis` to the last"},
        {Opcode::tensor_copy, "tensor_copy", V | S | G, Engine::vector,
         {{"dst", K::ap, req, W}, {"src", K::ap, req, R}},
         "dst = convert(src)"},
        {Opcode::tensor_copy_predicated, "tensor_copy_predicated", V, Engine::vector,
         {{"dst", K::ap, req, RW},
          {"src", K::ap_or_imm, req, R},
          {"predicate", K::ap, req, R},
          {"reverse_pred", K::boolean, opt}},
         "dst = src where (predicate != 0) xor reverse_pred; elsewhere dst is kept"},
        {Opcode::select_reduce, "select_reduce", V, Engine::vector,
         {{"dst", K::ap, req, W},
          {"predicate", K::ap, req, R},
          {"on_true", K::ap, req, R},
          {"on_false", K::ap_or_imm, req, R},
          {"reduce_res", K::ap, opt, W},
          {"reduce_cmd", K::reduce_cmd, opt},
          {"reverse_pred", K::boolean, opt}},
         "dst = predicate ? on_true : on_false, optional running max into reduce_res"},
        {Opcode::memset, "memset", V | G, Engine::vector,
         {{"dst", K::ap, req, W}, {"value", K::imm, req}},
         "dst = value"},
        {Opcode::iota, "iota", G, Engine::gpsimd,
         {{"dst", K::ap, req, W, kSbuf},
          {"pattern", K::pattern, req},
          {"offset", K::integer, opt},
          {"channel_multiplier", K::integer, opt}},
         "dst[p][i] = offset + p*channel_multiplier + pattern index (int32)"},
        {Opcode::affine_select, "affine_select", G, Engine::gpsimd,
         {{"dst", K::ap, req, W, kSbuf},
          {"pattern", K::pattern, req},
          {"channel_multiplier", K::integer, req},
          {"on_true_tile", K::ap, req, R, kSbuf},
          {"on_false_value", K::imm, req},
          {"cmp_op", K::alu_op, opt},
          {"offset", K::integer, opt}},
         "dst = cmp_op(affine index, 0) ? on_true_tile : on_false_value"},
        {Opcode::bn_stats, "bn_stats", V, Engine::vector,
         {{"dst", K::ap, req, W}, {"data", K::ap, req, R}},
         "dst[P,6] = count, mean, M2 of even and odd elements (F <= 512)"},
        {Opcode::bn_aggr, "bn_aggr", V, Engine::vector,
         {{"dst", K::ap, req, W}, {"data", K::ap, req, R}},
         "dst[P,2] = mean, variance merged from bn_stats tuples"},
        {Opcode::reciprocal, "reciprocal", V, Engine::vector,
         {{"dst", K::ap, req, W}, {"data", K::ap, req, R}},
         "dst = 1 / data (vector engine, full precision)"},
        {Opcode::dma_copy, "dma_copy", kAllEngines, Engine::sync,
         {{"dst", K::ap, req, W, kHbm | kSbuf},
          {"src", K::ap, req, R, kHbm | kSbuf},
          {"queue", K::integer, opt}},
         "dst = convert(src) by a DMA queue; the issuing engine does not wait", true},
        // Collectives (docs/kernel-format.md "Collectives"): HBM buffers, a replica group of ranks
        // given as group_start plus a [[step,num],...] pattern, run by the collective engine.
        {Opcode::all_reduce, "all_reduce", kAllEngines, Engine::sync,
         {{"dst", K::ap, req, W, kHbm},
          {"src", K::ap, req, R, kHbm},
          {"group", K::pattern, req},
          {"group_start", K::integer, opt},
          {"op", K::alu_op, opt}},
         "dst = reduction (op: add, maximum, minimum) of every group rank's src; collective engine", true},
        {Opcode::all_gather, "all_gather", kAllEngines, Engine::sync,
         {{"dst", K::ap, req, W, kHbm},
          {"src", K::ap, req, R, kHbm},
          {"group", K::pattern, req},
          {"group_start", K::integer, opt}},
         "dst = every group rank's src, in group order; collective engine", true},
        {Opcode::reduce_scatter, "reduce_scatter", kAllEngines, Engine::sync,
         {{"dst", K::ap, req, W, kHbm},
          {"src", K::ap, req, R, kHbm},
          {"group", K::pattern, req},
          {"group_start", K::integer, opt},
          {"op", K::alu_op, opt}},
         "dst = this rank's block of the reduction of every group rank's src; collective engine", true},
        {Opcode::send, "send", kAllEngines, Engine::sync,
         {{"src", K::ap, req, R, kHbm}, {"peer", K::integer, req}},
         "sends src to rank `peer`, whose matching recv receives it; collective engine", true},
        {Opcode::recv, "recv", kAllEngines, Engine::sync,
         {{"dst", K::ap, req, W, kHbm}, {"peer", K::integer, req}},
         "dst = what rank `peer`'s matching send sends; collective engine", true},
        {Opcode::custom_op, "custom_op", G, Engine::gpsimd,
         {{"name", K::name, req},
          {"dst", K::ap, req, W, kSbuf},
          {"src0", K::ap, opt, R, kSbuf},
          {"src1", K::ap, opt, R, kSbuf},
          {"src2", K::ap, opt, R, kSbuf},
          {"src3", K::ap, opt, R, kSbuf},
          {"imm0", K::imm, opt},
          {"imm1", K::imm, opt},
          {"imm2", K::imm, opt},
          {"imm3", K::imm, opt}},
         "GpSimd custom operator: calls the C++ operator registered under `name`"},
    }};
    return t;
}

}  // namespace

const OpcodeInfo& opcode_info(Opcode op) { return table()[size_t(op)]; }

bool is_collective(Opcode op) {
    return op == Opcode::all_reduce || op == Opcode::all_gather || op == Opcode::reduce_scatter ||
           op == Opcode::send || op == Opcode::recv;
}

std::optional<Opcode> parse_opcode(std::string_view name) {
    for (const auto& info : table())
        if (info.name == name) return info.op;
    return std::nullopt;
}

int arg_index(Opcode op, std::string_view arg_name) {
    const auto& args = opcode_info(op).args;
    for (size_t i = 0; i < args.size(); ++i)
        if (args[i].name == arg_name) return int(i);
    return -1;
}

}  // namespace nsim::isa
