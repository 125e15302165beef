// The function of a collective: every member's buffer, the parts the schedule moves between them,
// the reduction in the hardware's arithmetic, and the check against a reference reduction.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/collective/collective_plan.h"

namespace nsim::sim {

// Members' buffers of the whole message, held as fp32; with bfloat16 every stored value is rounded
// to bf16 (each reduction adds in fp32, then rounds once: bf16 with fp32 accumulation).
class CollectiveData {
public:
    // Fills each member's input with a deterministic pattern: small whole numbers (|v| <= 8), so
    // any order of summation over up to 2^16 / 8 ranks is exact in fp32 and bf16 and the check is
    // exact.
    explicit CollectiveData(const CollectivePlan& plan);

    // The values of `blocks` in `member`'s buffer (what a step sends, read when it starts).
    std::vector<float> read(uint32_t member, const std::vector<uint32_t>& blocks) const;
    // Stores `values` into `blocks` of `member`'s buffer, reducing them in or overwriting.
    void write(uint32_t member, const std::vector<uint32_t>& blocks,
               const std::vector<float>& values, bool reduce);

    // Replaces `member`'s input with real values (a rank's source buffer, row-major, as fp32): the
    // whole message, or the member's own block for an all-gather. CollectiveError for another size.
    void load(uint32_t member, const std::vector<float>& values);
    // `member`'s result: the whole message, or its own block after a reduce-scatter.
    std::vector<float> result(uint32_t member) const;

    // Compares every member's result with the reference reduction; returns "" or the first
    // mismatch.
    std::string mismatch() const;
    float value(uint32_t member, uint64_t element) const {
        return m_buffers.at(member).at(element);
    }
    // The input pattern of member `g` at `element`.
    static float input(uint32_t g, uint64_t element);

private:
    // The elements [begin, end) that are `member`'s input (load) or result.
    std::pair<uint64_t, uint64_t> input_range(uint32_t member) const;
    std::pair<uint64_t, uint64_t> result_range(uint32_t member) const;
    float combine(float acc, float in) const;
    float store(float v) const;

    const CollectivePlan& m_plan;
    std::vector<std::vector<float>> m_buffers;
};

}  // namespace nsim::sim
