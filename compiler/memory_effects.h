// The exact bytes an instruction reads and writes, and whether two instructions conflict on them:
// the dependence test of the sync pass (and of any pass that reorders instructions).
#pragma once

#include <vector>

#include "isa/access_pattern.h"
#include "isa/program.h"

namespace nsim::compiler {

// One access-pattern operand of an instruction as the bytes it touches.
struct MemoryAccess {
    isa::Footprint footprint;
    bool writes = false;  // Access::write or read_write
    // Bounding box of the footprint's bytes, so most non-conflicts are rejected without the exact
    // merge of the byte ranges.
    uint64_t lowest = 0;
    uint64_t highest = 0;  // one past the last byte
};

// Every access-pattern operand of an instruction (ap_or_imm ones when they hold an AP) that reads
// or writes memory. HBM rows are placed by the declared tensor's row size (the program's
// declaration is the authority, whatever stride the operand was built with).
std::vector<MemoryAccess> memory_effects(const isa::Instruction& inst, const isa::Program& program);

// True when some byte is touched by both and at least one of the two touches writes it: the
// instructions must then run in program order (RAW, WAR or WAW).
bool conflicts(const std::vector<MemoryAccess>& a, const std::vector<MemoryAccess>& b);

}  // namespace nsim::compiler
