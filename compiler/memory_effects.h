// The exact bytes an instruction reads and writes, and whether two instructions conflict on them:
// the dependence test of the sync pass (and of any pass that reorders instructions).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
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

// What one instruction touches: its accesses, and per memory space the bounding box of the bytes
// it writes and of all the bytes it touches, so most pairs of instructions are found not to
// conflict without comparing their accesses one by one.
struct MemoryEffects {
    // Bytes [lowest, highest) of one memory space; empty when lowest >= highest.
    struct Box {
        uint64_t lowest = UINT64_MAX;
        uint64_t highest = 0;
        void add(const MemoryAccess& a) {
            lowest = std::min(lowest, a.lowest);
            highest = std::max(highest, a.highest);
        }
        bool meets(const Box& o) const { return lowest < o.highest && o.lowest < highest; }
    };
    std::vector<MemoryAccess> accesses;
    std::array<Box, 3> writes, touches;  // indexed by isa::MemSpace: hbm, sbuf, psum
};

// Every access-pattern operand of an instruction (ap_or_imm ones when they hold an AP) that reads
// or writes memory. HBM rows are placed by the declared tensor's row size (the program's
// declaration is the authority, whatever stride the operand was built with).
MemoryEffects memory_effects(const isa::Instruction& inst, const isa::Program& program);

// True when some byte is touched by both and at least one of the two touches writes it: the
// instructions must then run in program order (RAW, WAR or WAW).
bool conflicts(const MemoryEffects& a, const MemoryEffects& b);

}  // namespace nsim::compiler
