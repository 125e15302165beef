// One function per opcode (internal to the semantics; execute() dispatches through the
// instruction registry, which the families fill: semantics_families.h).
#pragma once

#include "isa/instruction.h"
#include "sim/semantics/core_state.h"
#include "sim/semantics/custom_ops.h"

namespace nsim::sim::ops {

struct Context {
    const isa::Instruction& inst;
    isa::Generation gen;
    CoreState& state;
    const CustomOpRegistry& custom_ops;
};

// semantics_tensor.cpp
void nc_matmul(Context& c);
void nc_transpose(Context& c);
void nc_stream_shuffle(Context& c);
// semantics_elementwise.cpp
void activation(Context& c);
void tensor_tensor(Context& c);
void tensor_scalar(Context& c);
void tensor_copy(Context& c);
void reciprocal(Context& c);
void tensor_tensor_scan(Context& c);
void scalar_tensor_tensor(Context& c);
void tensor_scalar_reduce(Context& c);
void activation_reduce(Context& c);
void memset(Context& c);
// semantics_select.cpp
void tensor_copy_predicated(Context& c);
void select_reduce(Context& c);
void range_select(Context& c);
void dropout(Context& c);
void iota(Context& c);
void affine_select(Context& c);
// semantics_reduce.cpp
void tensor_reduce(Context& c);
void tensor_partition_reduce(Context& c);
void bn_stats(Context& c);
void bn_aggr(Context& c);
// semantics_top8.cpp
void max8(Context& c);
void nc_find_index8(Context& c);
void nc_match_replace8(Context& c);
// semantics_dma.cpp (the DMA instructions' data movement; the DMA model times it) and
// custom_ops.cpp
void dma_copy(Context& c);
void dma_transpose(Context& c);
void custom_op(Context& c);

}  // namespace nsim::sim::ops
