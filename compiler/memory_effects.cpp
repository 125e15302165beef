#include "compiler/memory_effects.h"

#include <algorithm>
#include <array>
#include <functional>
#include <variant>

#include "isa/parallel.h"

namespace nsim::compiler {

namespace {

// Calls f(ap, access) for every access-pattern operand of `inst` that reads or writes memory.
template <class F>
void for_each_memory_operand(const isa::Instruction& inst, F&& f) {
    const auto& specs = isa::opcode_info(inst.op).args;
    for (size_t k = 0; k < specs.size() && k < inst.args.size(); ++k) {
        if (specs[k].access == isa::Access::none) continue;
        if (const auto* ap = isa::pattern_of(inst.args[k]))
            f(*ap, specs[k].access);  // otherwise absent, or an immediate
    }
}

// Per opcode, its operands that may read or write memory: each instruction gets that many places,
// known from its opcode alone.
const std::array<uint16_t, isa::kOpcodeCount>& memory_operand_counts() {
    static const auto counts = [] {
        std::array<uint16_t, isa::kOpcodeCount> c{};
        for (int op = 0; op < isa::kOpcodeCount; ++op)
            for (const auto& spec : isa::opcode_info(isa::Opcode(op)).args)
                c[size_t(op)] += spec.access != isa::Access::none;
        return c;
    }();
    return counts;
}

// An id per HBM tensor: its place among the declarations from 1 (`declared`, when the program
// declares it), or for a name the program does not declare (a program not verified) a hash of it
// with the top bit set. Two undeclared names that collide are taken for one tensor: at worst a
// wait too many, never one too few.
uint32_t tensor_id(const isa::Program& program, const isa::TensorDecl* declared,
                   const std::string& name) {
    if (declared) return uint32_t(declared - program.tensors.data()) + 1;
    return uint32_t(std::hash<std::string>()(name)) | 0x80000000u;
}

}  // namespace

MemoryEffects::MemoryEffects(const isa::Program& program) {
    const size_t n = program.instructions.size();
    m_instructions.resize(n);
    program.find_tensor("");  // builds the tensors' index now: the slices then only read it
    // (A slice's number fits Effects::slice.)
    m_slices.resize(
        std::min<size_t>(isa::slice_count(n, isa::kMinSliceInstructions), UINT8_MAX + 1));
    const auto& counts = memory_operand_counts();
    isa::run_on_threads(m_slices.size(), [&](size_t k) {
        Slice& slice = m_slices[k];
        const size_t first = n * k / m_slices.size();
        const size_t end = n * (k + 1) / m_slices.size();
        // Each instruction's operands get places from its opcode, then their bytes.
        size_t operands = 0;
        for (size_t i = first; i < end; ++i) {
            const auto op = size_t(program.instructions[i].op);
            Effects& effects = m_instructions[i];
            effects.first_place = uint32_t(operands);
            effects.access_count = uint8_t(op < counts.size() ? counts[op] : 0);
            effects.slice = uint8_t(k);
            operands += effects.access_count;
        }
        slice.places.resize(operands);  // 0: touches nothing, until a pattern says otherwise
        slice.accesses.resize(1);
        for (size_t i = first; i < end; ++i) add(i, program, slice);
    });
}

void MemoryEffects::add(size_t i, const isa::Program& program, Slice& slice) {
    Effects& effects = m_instructions[i];
    if (effects.access_count == 0) return;  // no memory operand (or an opcode out of the table)
    uint32_t* place = slice.places.data() + effects.first_place;
    for_each_memory_operand(
        program.instructions[i], [&](const isa::AccessPattern& ap, isa::Access kind) {
            const bool writes = kind == isa::Access::write || kind == isa::Access::read_write;
            *place = access_of(ap, writes, program, slice);
            const Access& a = slice.accesses[*place++];
            if (a.range_count == 0) return;  // an empty pattern touches nothing
            const auto bit = uint8_t(1u << unsigned(a.space));
            effects.touches |= bit;
            if (a.writes) effects.writes |= bit;
            if (a.space != isa::MemSpace::hbm) {
                effects.boxes[a.space == isa::MemSpace::sbuf ? 0 : 1].extend(a.lowest, a.highest);
            }
        });
}

uint32_t MemoryEffects::access_of(const isa::AccessPattern& ap, bool writes,
                                  const isa::Program& program, Slice& slice) {
    const uintptr_t key = reinterpret_cast<uintptr_t>(&ap) | uintptr_t(writes);  // (aligned)
    if (const uint32_t* known = slice.recent.find(key)) return *known;
    Access a;
    std::vector<isa::ByteRange>& ranges = slice.ranges;
    a.space = ap.space;
    a.first_range = uint32_t(ranges.size());
    if (ap.space == isa::MemSpace::hbm) {
        const isa::TensorDecl* t = program.find_tensor(ap.tensor.view());
        a.tensor = tensor_id(program, t, ap.tensor);
        if (t && t->row_bytes() != ap.partition_stride_bytes) {  // a copy only to re-place it
            isa::AccessPattern placed = ap;
            placed.partition_stride_bytes = t->row_bytes();
            add_hbm_rows(a, placed, ranges);
        } else {
            add_hbm_rows(a, ap, ranges);
        }
    } else {
        ap.append_byte_ranges(ranges);
        a.partition_begin = ap.start_partition;
        a.partition_end = ap.start_partition + ap.num_partitions;
    }
    a.range_count = uint32_t(ranges.size() - a.first_range);
    if (a.range_count > 0) {  // an empty pattern touches nothing, and so does not write
        a.writes = writes;
        a.lowest = ranges[a.first_range].begin;
        a.highest = ranges.back().end + (a.rows - 1) * a.row_stride;
    }
    slice.accesses.push_back(a);
    const auto index = uint32_t(slice.accesses.size() - 1);
    slice.recent.put(key, index);
    return index;
}

// The ranges of the first row, to repeat over the rows when they all fall within a row; otherwise
// (rows that interleave) the footprint spelled out.
void MemoryEffects::add_hbm_rows(Access& access, const isa::AccessPattern& ap,
                                 std::vector<isa::ByteRange>& ranges) {
    const size_t from = ranges.size();
    ap.append_byte_ranges(ranges);
    const uint64_t stride = ap.partition_stride_bytes;
    if (ranges.size() == from || ap.num_partitions == 0 || ranges.back().end > stride) {
        ranges.resize(from);
        isa::append_footprint_ranges(ap, ranges);
        return;
    }
    const uint64_t base = ap.start_partition * stride;
    for (size_t k = from; k < ranges.size(); ++k) {
        ranges[k].begin += base;
        ranges[k].end += base;
    }
    access.rows = ap.num_partitions;
    access.row_stride = stride;
}

void MemoryEffects::expand(const Access& a, const isa::ByteRange* ranges,
                           std::vector<isa::ByteRange>& out) {
    out.clear();
    for (uint64_t r = 0; r < a.rows; ++r)
        for (uint32_t k = 0; k < a.range_count; ++k)
            out.push_back({ranges[k].begin + r * a.row_stride, ranges[k].end + r * a.row_stride});
}

bool MemoryEffects::overlap(const Access& x, const isa::ByteRange* x_ranges, const Access& y,
                            const isa::ByteRange* y_ranges) const {
    if (x.space != y.space || x.tensor != y.tensor) return false;
    if (x.space != isa::MemSpace::hbm && std::max(x.partition_begin, y.partition_begin) >=
                                             std::min(x.partition_end, y.partition_end))
        return false;
    if (x.rows == 1 && y.rows == 1)
        return isa::first_overlap(x_ranges, x.range_count, y_ranges, y.range_count).has_value();
    if (x.row_stride == y.row_stride) {
        // Both repeat within rows of one size: they meet when they share a row and their ranges
        // meet within it. Rows are counted from byte 0 of the tensor.
        const uint64_t stride = x.row_stride;
        const uint64_t x_row = x_ranges[0].begin / stride;
        const uint64_t y_row = y_ranges[0].begin / stride;
        if (std::max(x_row, y_row) >= std::min(x_row + x.rows, y_row + y.rows)) return false;
        // An access's ranges moved back by its first row.
        const auto within_row = [stride](const isa::ByteRange* ranges, uint32_t count, uint64_t row,
                                         std::vector<isa::ByteRange>& out) {
            out.clear();
            for (uint32_t k = 0; k < count; ++k)
                out.push_back({ranges[k].begin - row * stride, ranges[k].end - row * stride});
        };
        within_row(x_ranges, x.range_count, x_row, m_expanded_x);
        within_row(y_ranges, y.range_count, y_row, m_expanded_y);
    } else {
        expand(x, x_ranges, m_expanded_x);
        expand(y, y_ranges, m_expanded_y);
    }
    return isa::first_overlap(m_expanded_x.data(), m_expanded_x.size(), m_expanded_y.data(),
                              m_expanded_y.size())
        .has_value();
}

bool MemoryEffects::operands_conflict(const Effects& ea, const Effects& eb) const {
    const Slice& sa = m_slices[ea.slice];
    const Slice& sb = m_slices[eb.slice];
    const uint32_t* xs = sa.places.data() + ea.first_place;
    const uint32_t* ys = sb.places.data() + eb.first_place;
    for (const uint32_t* xp = xs; xp < xs + ea.access_count; ++xp)
        for (const uint32_t* yp = ys; yp < ys + eb.access_count; ++yp) {
            const Access& x = sa.accesses[*xp];
            const Access& y = sb.accesses[*yp];
            if (!x.writes && !y.writes) continue;
            if (x.highest <= y.lowest || y.highest <= x.lowest) continue;
            if (overlap(x, sa.ranges.data() + x.first_range, y, sb.ranges.data() + y.first_range))
                return true;
        }
    return false;
}

}  // namespace nsim::compiler
