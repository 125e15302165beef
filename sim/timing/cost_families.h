// The cost functions of each instruction family (sim/timing/cost_<family>.cpp), for the
// instruction registry. The families follow the semantics files' (semantics_families.h).
#pragma once

#include <vector>

#include "sim/core/instruction_registry.h"

namespace nsim::sim {

std::vector<OpcodeCost> tensor_costs();       // nc_matmul, nc_transpose, nc_stream_shuffle
std::vector<OpcodeCost> elementwise_costs();  // activation, tensor_tensor, tensor_scalar, ...
std::vector<OpcodeCost> reduce_costs();       // tensor_reduce, tensor_partition_reduce, bn_*
std::vector<OpcodeCost> select_costs();       // predicated copies, iota, affine_select
std::vector<OpcodeCost> top8_costs();         // max8, nc_find_index8, nc_match_replace8
std::vector<OpcodeCost> offloaded_costs();    // dma_copy, collectives, custom_op: timed elsewhere

}  // namespace nsim::sim
