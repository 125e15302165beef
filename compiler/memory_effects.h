// The exact bytes each instruction of a program reads and writes, and whether two instructions
// conflict on them: the dependence test of the sync pass (and of any pass that reorders
// instructions).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "isa/access_pattern.h"
#include "isa/address_cache.h"
#include "isa/program.h"

namespace nsim::compiler {

// Every instruction's access-pattern operands (ap_or_imm ones when they hold an AP) that read or
// write memory, as the exact bytes they touch. They are found in slices of the program on every
// core, and each slice keeps its operands and their byte ranges in flat arrays of its own: a pass
// over 10^6 instructions allocates a few arrays, not a few million small ones, and each core
// touches the memory it fills. HBM rows are placed by the declared tensor's row size (the
// program's declaration is the authority, whatever stride the operand was built with).
class MemoryEffects {
public:
    explicit MemoryEffects(const isa::Program& program);

    size_t size() const { return m_instructions.size(); }
    // True when some byte is touched by both instructions and at least one of the two writes it:
    // they must then run in program order (RAW, WAR or WAW).
    // The two quick tests inline (the sync pass asks this some 17 times per instruction, and most
    // answers come from them), the operands out of line.
    bool conflicts(size_t a, size_t b) const {
        const Effects& ea = m_instructions[a];
        const Effects& eb = m_instructions[b];
        const unsigned shared = (ea.writes & eb.touches) | (eb.writes & ea.touches);
        if (!shared) return false;
        const bool boxes_apart =
            !(shared & (1u << unsigned(isa::MemSpace::hbm))) &&
            !(shared & (1u << unsigned(isa::MemSpace::sbuf)) && ea.boxes[0].meets(eb.boxes[0])) &&
            !(shared & (1u << unsigned(isa::MemSpace::psum)) && ea.boxes[1].meets(eb.boxes[1]));
        return !boxes_apart && operands_conflict(ea, eb);
    }
    // The memory spaces instruction i writes, and touches (bit 1 << MemSpace).
    unsigned writes(size_t i) const { return m_instructions[i].writes; }
    unsigned touches(size_t i) const { return m_instructions[i].touches; }
    // The places of an instruction's operands that may read or write memory (its opcode's; an
    // operand absent or given as an immediate has an empty one).
    size_t access_count(size_t i) const { return m_instructions[i].access_count; }

private:
    // One operand: its memory, partitions (SBUF/PSUM) or tensor (HBM), the bounding box of its
    // bytes, and its ranges in its slice's array. An HBM operand whose ranges all fall within one
    // row keeps the ranges of its first row only, repeated every `row_stride` bytes for `rows`
    // rows (a tile of a wide tensor is one range, not one per row). An empty pattern has no ranges
    // and does not write: it touches nothing.
    struct Access {
        isa::MemSpace space = isa::MemSpace::sbuf;
        bool writes = false;
        uint32_t tensor = 0;  // HBM: which tensor (tensor_id()); 0 for SBUF/PSUM
        uint32_t partition_begin = 0, partition_end = 0;
        uint32_t first_range = 0, range_count = 0;
        uint32_t rows = 1;  // HBM: the rows the ranges repeat over
        uint64_t row_stride = 0;
        uint64_t lowest = 0, highest = 0;
    };
    // The bytes within a partition from an instruction's lowest to its highest in SBUF, and in
    // PSUM: two instructions whose boxes are apart in every on-chip space where one writes what
    // the other touches are ruled out without looking at their operands (a matmul into one PSUM
    // bank and the evictions of the others).
    // In 32 bits (a partition holds far fewer bytes): an instruction is 24 bytes here, not 40. A
    // byte past them (a program not verified) widens the box to every byte, which only sends the
    // test on to the operands.
    struct Box {
        uint32_t lowest = UINT32_MAX, highest = 0;
        bool meets(const Box& o) const { return lowest < o.highest && o.lowest < highest; }
        void extend(uint64_t low, uint64_t high) {
            if (high > UINT32_MAX) low = 0, high = UINT32_MAX;
            lowest = std::min(lowest, uint32_t(low));
            highest = std::max(highest, uint32_t(high));
        }
    };
    using OnChipBoxes = std::array<Box, 2>;  // [0] SBUF, [1] PSUM
    // An instruction's operand places (in its slice), the memory spaces it writes and touches
    // (bit 1 << MemSpace: two instructions that write no space the other touches are ruled out at
    // once), and its boxes.
    struct Effects {
        uint32_t first_place = 0;
        uint8_t access_count = 0;  // at most an opcode's operands
        uint8_t slice = 0;
        uint8_t writes = 0, touches = 0;
        OnChipBoxes boxes;
    };
    // A run of instructions: each operand place's access, and the accesses with their byte
    // ranges. Operands with one pattern (isa::PatternOperand) and the same write flag share an
    // access: a tiled kernel has a few hundred of them for tens of thousands of operands.
    // accesses[0] touches nothing: the place of an absent operand.
    struct Slice {
        std::vector<uint32_t> places;
        std::vector<Access> accesses;
        std::vector<isa::ByteRange> ranges;
        // The access made last for a pattern's address and whether it writes.
        isa::AddressCache<uint32_t> recent;
    };

    // Fills instruction i's operand places and its boxes.
    void add(size_t i, const isa::Program& program, Slice& slice);
    // The access of a pattern operand: found in `slice.recent`, or made (its ranges into the
    // slice's).
    static uint32_t access_of(const isa::AccessPattern& ap, bool writes,
                              const isa::Program& program, Slice& slice);
    static void add_hbm_rows(Access& access, const isa::AccessPattern& ap,
                             std::vector<isa::ByteRange>& ranges);
    // Whether some operand of one writes a byte the other's operands touch.
    bool operands_conflict(const Effects& ea, const Effects& eb) const;
    // Whether two accesses of one space and tensor share a byte; each with its slice's ranges.
    bool overlap(const Access& x, const isa::ByteRange* x_ranges, const Access& y,
                 const isa::ByteRange* y_ranges) const;
    // The absolute ranges of an access, every row spelled out, into `out`.
    static void expand(const Access& a, const isa::ByteRange* ranges,
                       std::vector<isa::ByteRange>& out);

    std::vector<Effects> m_instructions;
    std::vector<Slice> m_slices;
    mutable std::vector<isa::ByteRange> m_expanded_x, m_expanded_y;  // scratch of overlap()
};

}  // namespace nsim::compiler
