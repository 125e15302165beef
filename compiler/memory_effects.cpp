#include "compiler/memory_effects.h"

#include <variant>

namespace nsim::compiler {

static_assert(size_t(isa::MemSpace::psum) + 1 == std::tuple_size_v<std::array<ByteBox, 3>>);

MemoryEffects::MemoryEffects(const isa::Program& program) {
    // Room for every operand at once (most have one range): growing arrays would touch twice the
    // memory.
    size_t operands = 0;
    for (const auto& inst : program.instructions) {
        const auto& specs = isa::opcode_info(inst.op).args;
        for (size_t k = 0; k < specs.size() && k < inst.args.size(); ++k)
            operands += specs[k].access != isa::Access::none &&
                        std::holds_alternative<isa::AccessPattern>(inst.args[k]);
    }
    m_instructions.reserve(program.instructions.size());
    m_accesses.reserve(operands);
    m_ranges.reserve(operands);
    for (const auto& inst : program.instructions) add(inst, program);
}

uint32_t MemoryEffects::tensor_id(const std::string& name) {
    return m_tensor_ids.try_emplace(name, uint32_t(m_tensor_ids.size() + 1)).first->second;
}

void MemoryEffects::add(const isa::Instruction& inst, const isa::Program& program) {
    Effects& effects = m_instructions.emplace_back();
    effects.first_access = uint32_t(m_accesses.size());
    const auto& specs = isa::opcode_info(inst.op).args;
    for (size_t k = 0; k < specs.size() && k < inst.args.size(); ++k) {
        if (specs[k].access == isa::Access::none) continue;
        const auto* ap = std::get_if<isa::AccessPattern>(&inst.args[k]);
        if (!ap) continue;  // absent, or an immediate
        Access access;
        access.space = ap->space;
        access.first_range = uint32_t(m_ranges.size());
        if (ap->space == isa::MemSpace::hbm) {
            access.tensor = tensor_id(ap->tensor);
            const isa::TensorDecl* t = program.find_tensor(ap->tensor);
            if (t && t->row_bytes() != ap->partition_stride_bytes) {  // a copy only to re-place it
                isa::AccessPattern placed = *ap;
                placed.partition_stride_bytes = t->row_bytes();
                add_hbm_rows(access, placed);
            } else {
                add_hbm_rows(access, *ap);
            }
        } else {
            ap->append_byte_ranges(m_ranges);
            access.partition_begin = ap->start_partition;
            access.partition_end = ap->start_partition + ap->num_partitions;
        }
        access.range_count = uint32_t(m_ranges.size() - access.first_range);
        if (access.range_count == 0) continue;  // an empty pattern touches nothing
        access.writes =
            specs[k].access == isa::Access::write || specs[k].access == isa::Access::read_write;
        access.lowest = m_ranges[access.first_range].begin;
        access.highest = m_ranges.back().end + (access.rows - 1) * access.row_stride;
        const auto space = size_t(access.space);
        effects.touches[space].add(access.lowest, access.highest);
        if (access.writes) effects.writes[space].add(access.lowest, access.highest);
        m_accesses.push_back(access);
        ++effects.access_count;
    }
}

// The ranges of the first row, to repeat over the rows when they all fall within a row; otherwise
// (rows that interleave) the footprint spelled out.
void MemoryEffects::add_hbm_rows(Access& access, const isa::AccessPattern& ap) {
    const size_t from = m_ranges.size();
    ap.append_byte_ranges(m_ranges);
    const uint64_t stride = ap.partition_stride_bytes;
    if (m_ranges.size() == from || ap.num_partitions == 0 || m_ranges.back().end > stride) {
        m_ranges.resize(from);
        isa::append_footprint_ranges(ap, m_ranges);
        return;
    }
    const uint64_t base = ap.start_partition * stride;
    for (size_t k = from; k < m_ranges.size(); ++k) {
        m_ranges[k].begin += base;
        m_ranges[k].end += base;
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
    bool may = false;
    for (size_t s = 0; s < ea.writes.size() && !may; ++s)
        may = ea.writes[s].meets(eb.touches[s]) || eb.writes[s].meets(ea.touches[s]);
    if (!may) return false;
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
