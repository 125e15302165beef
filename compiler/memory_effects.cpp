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
        if (const auto* ap = std::get_if<isa::AccessPattern>(&inst.args[k]))
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

// An id per HBM tensor: its place among the declarations from 1, or for a name the program does
// not declare (a program not verified) a hash of it with the top bit set. Two undeclared names
// that collide are taken for one tensor: at worst a wait too many, never one too few.
uint32_t tensor_id(const isa::Program& program, const std::string& name) {
    if (const isa::TensorDecl* t = program.find_tensor(name))
        return uint32_t(t - program.tensors.data()) + 1;
    return uint32_t(std::hash<std::string>()(name)) | 0x80000000u;
}

}  // namespace

MemoryEffects::MemoryEffects(const isa::Program& program) {
    // Each instruction's operands get places from its opcode; their bytes are then found in slices
    // of the program on every core, each slice's ranges in an array of its own until they are
    // joined.
    const size_t n = program.instructions.size();
    m_instructions.resize(n);
    m_boxes.resize(n);
    const auto& counts = memory_operand_counts();
    size_t operands = 0;
    for (size_t i = 0; i < n; ++i) {
        const auto op = size_t(program.instructions[i].op);
        m_instructions[i].first_access = uint32_t(operands);
        m_instructions[i].access_count = op < counts.size() ? counts[op] : 0;
        operands += m_instructions[i].access_count;
    }
    m_accesses.resize(operands);
    // The operands of instructions [begin, end): [first(begin), first(end)).
    const auto first = [&](size_t i) { return i < n ? m_instructions[i].first_access : operands; };
    program.find_tensor("");  // builds the tensors' index now: the slices then only read it
    const size_t slices = isa::slice_count(n, 4096);
    std::vector<std::vector<isa::ByteRange>> ranges(slices);
    isa::run_on_threads(slices, [&](size_t k) {
        const size_t begin = n * k / slices, end = n * (k + 1) / slices;
        ranges[k].reserve(first(end) - first(begin));  // most operands have one range
        for (size_t i = begin; i < end; ++i) add(i, program, ranges[k]);
    });
    m_ranges = std::move(ranges[0]);
    for (size_t k = 1; k < slices; ++k) {
        const auto offset = uint32_t(m_ranges.size());
        for (size_t a = first(n * k / slices); a < first(n * (k + 1) / slices); ++a)
            m_accesses[a].first_range += offset;
        m_ranges.insert(m_ranges.end(), ranges[k].begin(), ranges[k].end());
    }
}

void MemoryEffects::add(size_t i, const isa::Program& program,
                        std::vector<isa::ByteRange>& ranges) {
    Effects& effects = m_instructions[i];
    if (effects.access_count == 0) return;  // no memory operand (or an opcode out of the table)
    Access* access = m_accesses.data() + effects.first_access;
    for_each_memory_operand(program.instructions[i], [&](const isa::AccessPattern& ap,
                                                         isa::Access kind) {
        Access& a = *access++;
        a.space = ap.space;
        a.first_range = uint32_t(ranges.size());
        if (ap.space == isa::MemSpace::hbm) {
            a.tensor = tensor_id(program, ap.tensor);
            const isa::TensorDecl* t = program.find_tensor(ap.tensor.view());
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
        if (a.range_count == 0) return;  // an empty pattern touches nothing
        a.writes = kind == isa::Access::write || kind == isa::Access::read_write;
        a.lowest = ranges[a.first_range].begin;
        a.highest = ranges.back().end + (a.rows - 1) * a.row_stride;
        const auto bit = uint8_t(1u << unsigned(a.space));
        effects.touches |= bit;
        if (a.writes) effects.writes |= bit;
        if (a.space != isa::MemSpace::hbm) {
            Box& box = m_boxes[i][a.space == isa::MemSpace::sbuf ? 0 : 1];
            box.lowest = std::min(box.lowest, a.lowest);
            box.highest = std::max(box.highest, a.highest);
        }
    });
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

void MemoryEffects::expand(const Access& a, std::vector<isa::ByteRange>& out) const {
    out.clear();
    for (uint64_t r = 0; r < a.rows; ++r)
        for (uint32_t k = a.first_range; k < a.first_range + a.range_count; ++k)
            out.push_back(
                {m_ranges[k].begin + r * a.row_stride, m_ranges[k].end + r * a.row_stride});
}

bool MemoryEffects::overlap(const Access& x, const Access& y) const {
    if (x.space != y.space || x.tensor != y.tensor) return false;
    if (x.space != isa::MemSpace::hbm && std::max(x.partition_begin, y.partition_begin) >=
                                             std::min(x.partition_end, y.partition_end))
        return false;
    if (x.rows == 1 && y.rows == 1)
        return isa::first_overlap(&m_ranges[x.first_range], x.range_count, &m_ranges[y.first_range],
                                  y.range_count)
            .has_value();
    if (x.row_stride == y.row_stride) {
        // Both repeat within rows of one size: they meet when they share a row and their ranges
        // meet within it. Rows are counted from byte 0 of the tensor.
        const uint64_t stride = x.row_stride;
        const uint64_t x_row = m_ranges[x.first_range].begin / stride;
        const uint64_t y_row = m_ranges[y.first_range].begin / stride;
        if (std::max(x_row, y_row) >= std::min(x_row + x.rows, y_row + y.rows)) return false;
        m_expanded_x.clear();
        m_expanded_y.clear();
        for (uint32_t k = 0; k < x.range_count; ++k) {
            const auto& r = m_ranges[x.first_range + k];
            m_expanded_x.push_back({r.begin - x_row * stride, r.end - x_row * stride});
        }
        for (uint32_t k = 0; k < y.range_count; ++k) {
            const auto& r = m_ranges[y.first_range + k];
            m_expanded_y.push_back({r.begin - y_row * stride, r.end - y_row * stride});
        }
    } else {
        expand(x, m_expanded_x);
        expand(y, m_expanded_y);
    }
    return isa::first_overlap(m_expanded_x.data(), m_expanded_x.size(), m_expanded_y.data(),
                              m_expanded_y.size())
        .has_value();
}

bool MemoryEffects::conflicts(size_t a, size_t b) const {
    const Effects& ea = m_instructions[a];
    const Effects& eb = m_instructions[b];
    const unsigned shared = (ea.writes & eb.touches) | (eb.writes & ea.touches);
    if (!shared) return false;
    const auto spaces_meet = [&] {
        if (shared & (1u << unsigned(isa::MemSpace::hbm))) return true;
        for (unsigned k = 0; k < 2; ++k)
            if (shared & (1u << unsigned(k == 0 ? isa::MemSpace::sbuf : isa::MemSpace::psum)) &&
                m_boxes[a][k].meets(m_boxes[b][k]))
                return true;
        return false;
    };
    if (!spaces_meet()) return false;
    for (uint32_t i = ea.first_access; i < ea.first_access + ea.access_count; ++i)
        for (uint32_t j = eb.first_access; j < eb.first_access + eb.access_count; ++j) {
            const Access& x = m_accesses[i];
            const Access& y = m_accesses[j];
            if (!x.writes && !y.writes) continue;
            if (x.highest <= y.lowest || y.highest <= x.lowest) continue;
            if (overlap(x, y)) return true;
        }
    return false;
}

}  // namespace nsim::compiler
