// Collective data: buffers, reduction arithmetic and the reference check.
#include "sim/collective/collective_data.h"

#include <algorithm>

#include <fmt/format.h>

#include "isa/dtype.h"

namespace nsim::sim {

CollectiveData::CollectiveData(const CollectivePlan& plan)
    : m_plan(plan), m_buffers(plan.members()) {
    const bool gather = plan.request.op == CollectiveOp::all_gather;
    for (uint32_t g = 0; g < plan.members(); ++g) {
        auto& buf = m_buffers[g];
        buf.assign(plan.elements, 0.0f);
        const uint64_t lo = gather ? plan.block_begin(g) : 0,
                       hi = gather ? plan.block_end(g) : plan.elements;
        for (uint64_t e = lo; e < hi; ++e) buf[e] = store(input(g, e));
    }
}

float CollectiveData::input(uint32_t g, uint64_t element) {
    return float(int((g * 131u + element * 7u) % 17u) - 8);
}

float CollectiveData::store(float v) const {
    return m_plan.request.dtype == CollectiveDType::bfloat16
               ? isa::quantize(isa::DType::bfloat16, v)
               : v;
}

float CollectiveData::combine(float acc, float in) const {
    switch (m_plan.request.reduce) {
        case ReduceOp::add:
            return store(acc + in);
        case ReduceOp::max:
            return std::max(acc, in);
        case ReduceOp::min:
            return std::min(acc, in);
    }
    return acc;
}

std::vector<float> CollectiveData::read(uint32_t member,
                                        const std::vector<uint32_t>& blocks) const {
    std::vector<float> out;
    const auto& buf = m_buffers[member];
    for (uint32_t b : blocks)
        out.insert(out.end(), buf.begin() + long(m_plan.block_begin(b)),
                   buf.begin() + long(m_plan.block_end(b)));
    return out;
}

void CollectiveData::write(uint32_t member, const std::vector<uint32_t>& blocks,
                           const std::vector<float>& values, bool reduce) {
    auto& buf = m_buffers[member];
    size_t i = 0;
    for (uint32_t b : blocks)
        for (uint64_t e = m_plan.block_begin(b); e < m_plan.block_end(b); ++e, ++i)
            buf[e] = reduce ? combine(buf[e], values[i]) : values[i];
}

std::pair<uint64_t, uint64_t> CollectiveData::input_range(uint32_t member) const {
    if (m_plan.request.op == CollectiveOp::all_gather)
        return {m_plan.block_begin(member), m_plan.block_end(member)};
    return {0, m_plan.elements};
}

std::pair<uint64_t, uint64_t> CollectiveData::result_range(uint32_t member) const {
    if (m_plan.request.op == CollectiveOp::reduce_scatter)
        return {m_plan.block_begin(member), m_plan.block_end(member)};
    return {0, m_plan.elements};
}

void CollectiveData::load(uint32_t member, const std::vector<float>& values) {
    const auto [lo, hi] = input_range(member);
    if (values.size() != hi - lo)
        throw CollectiveError(fmt::format("{}: rank {} gives {} input elements, expected {}",
                                          name(m_plan.request.op), m_plan.request.group.at(member),
                                          values.size(), hi - lo));
    auto& buf = m_buffers.at(member);
    for (uint64_t e = lo; e < hi; ++e) buf[e] = store(values[e - lo]);
}

std::vector<float> CollectiveData::result(uint32_t member) const {
    const auto [lo, hi] = result_range(member);
    const auto& buf = m_buffers.at(member);
    return {buf.begin() + long(lo), buf.begin() + long(hi)};
}

std::string CollectiveData::mismatch() const {
    const auto op = m_plan.request.op;
    // The reference, element by element: exact in double for the pattern's whole numbers.
    std::vector<float> expected(m_plan.elements);
    for (uint32_t b = 0; b < m_plan.blocks; ++b)
        for (uint64_t e = m_plan.block_begin(b); e < m_plan.block_end(b); ++e) {
            if (op == CollectiveOp::all_gather) {
                expected[e] = store(input(b, e));
                continue;
            }
            double acc = input(0, e);
            for (uint32_t h = 1; h < m_plan.members(); ++h) {
                const double v = input(h, e);
                acc = m_plan.request.reduce == ReduceOp::add   ? acc + v
                      : m_plan.request.reduce == ReduceOp::max ? std::max(acc, v)
                                                               : std::min(acc, v);
            }
            expected[e] = store(float(acc));
        }
    for (uint32_t g = 0; g < m_plan.members(); ++g) {
        const auto [lo, hi] = result_range(g);
        for (uint64_t e = lo; e < hi; ++e)
            if (m_buffers[g][e] != expected[e])
                return fmt::format("rank {} (member {}), element {}: found {}, expected {}",
                                   m_plan.request.group[g], g, e, m_buffers[g][e], expected[e]);
    }
    return "";
}

}  // namespace nsim::sim
