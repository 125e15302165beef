// The semantics of each instruction family (sim/semantics/semantics_<family>.cpp and
// custom_ops.cpp), for the instruction registry.
#pragma once

#include <vector>

#include "sim/core/instruction_registry.h"

namespace nsim::sim {

std::vector<OpcodeSemantics> tensor_semantics();
std::vector<OpcodeSemantics> elementwise_semantics();
std::vector<OpcodeSemantics> reduce_semantics();
std::vector<OpcodeSemantics> select_semantics();
std::vector<OpcodeSemantics> top8_semantics();  // max8, nc_find_index8, nc_match_replace8
std::vector<OpcodeSemantics> dma_semantics();
std::vector<OpcodeSemantics> custom_semantics();
std::vector<OpcodeSemantics> collective_semantics();  // none: the collective engine moves data

}  // namespace nsim::sim
