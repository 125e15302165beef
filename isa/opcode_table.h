// The instruction set as data: every opcode's name, engines and operands. The parser, printer,
// verifier and builder are driven by this table, so adding an instruction (collectives, say) means
// adding a row here and its specific rules in the verifier, not changing the parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "isa/enums.h"

namespace nsim::isa {

enum class Opcode : uint8_t {
    nc_matmul,
    nc_transpose,
    activation,
    tensor_tensor,
    tensor_scalar,
    tensor_reduce,
    tensor_copy,
    tensor_copy_predicated,
    select_reduce,
    memset,
    iota,
    affine_select,
    bn_stats,
    bn_aggr,
    reciprocal,
    tensor_tensor_scan,
    scalar_tensor_tensor,
    tensor_scalar_reduce,
    activation_reduce,
    tensor_partition_reduce,
    max8,
    nc_find_index8,
    nc_match_replace8,
    range_select,
    dropout,
    nc_stream_shuffle,
    dma_copy,
    dma_transpose,
    all_reduce,
    all_gather,
    reduce_scatter,
    send,
    recv,
    custom_op,
};
inline constexpr int kOpcodeCount = int(Opcode::custom_op) + 1;

// How an operand's text is read and its value stored (see ArgValue in instruction.h).
enum class ArgKind : uint8_t {
    ap,          // access pattern                          -> AccessPattern
    ap_or_imm,   // [P,1] access pattern or fp32 immediate  -> AccessPattern or double
    imm,         // fp32 immediate                          -> double
    integer,     // signed integer                          -> int64_t
    boolean,     // true / false                            -> bool
    alu_op,      // AluOp name                              -> int64_t (the enum value)
    act_func,    // ActFunc name                            -> int64_t
    reduce_cmd,  // ReduceCmd name                          -> int64_t
    pattern,     // [[step,num],...] (iota, affine_select)  -> std::vector<FreeDim>
    name,        // identifier (custom operator name)       -> std::string
    int_list,    // [A,B,...] integers (a shuffle mask)     -> std::vector<int64_t>
};

// Whether the instruction reads or writes the bytes of an access-pattern operand.
enum class Access : uint8_t { none, read, write, read_write };

// Memory spaces an access-pattern operand may live in, as a bit mask (bit = 1 << MemSpace).
using SpaceSet = uint8_t;
inline constexpr SpaceSet kHbm = 1, kSbuf = 2, kPsum = 4, kOnChip = kSbuf | kPsum;

struct ArgSpec {
    std::string_view name;
    ArgKind kind;
    bool required;
    Access access = Access::none;  // for ap / ap_or_imm
    SpaceSet spaces = kOnChip;     // for ap / ap_or_imm
};

struct OpcodeInfo {
    Opcode op;
    std::string_view name;
    EngineSet engines;      // where it may run
    Engine default_engine;  // where it runs when the kernel does not say
    std::vector<ArgSpec> args;
    std::string_view summary;  // one line for `nsim check` and docs
    // The issuing engine only triggers it and goes on; it completes later (DMA queue, collective
    // engine) and signals through its `inc` semaphores.
    bool asynchronous = false;
};

const OpcodeInfo& opcode_info(Opcode op);
// The most operands an opcode has (range_select's; a test holds the table to it).
inline constexpr size_t kMaxOperands = 11;
// dma_copy, dma_transpose: triggered by an engine, run by a DMA queue.
bool is_dma(Opcode op);
// all_reduce, all_gather, reduce_scatter, send, recv: run by the chip's collective engine.
bool is_collective(Opcode op);
std::optional<Opcode> parse_opcode(std::string_view name);
// Index of the named operand in opcode_info(op).args, or -1.
int arg_index(Opcode op, std::string_view arg_name);

}  // namespace nsim::isa
