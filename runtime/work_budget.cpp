#include "runtime/work_budget.h"

#include <algorithm>

#include <fmt/format.h>

#include "isa/error.h"

namespace nsim::runtime {

void check_instruction_budget(const std::string& what, uint32_t batch, uint64_t budget,
                              const std::function<uint64_t(uint32_t)>& instructions_at) {
    if (batch <= kLargestUncheckedBatch) return;
    const long double low = instructions_at(kSampleBatch);
    const long double high = instructions_at(2 * kSampleBatch);
    const long double estimate =
        high + std::max<long double>(high - low, 0) * (batch - 2 * kSampleBatch) / kSampleBatch;
    if (estimate <= budget) return;
    throw InputError(fmt::format(
        "{} at batch {}: a core would run about {:.3g} instructions (extrapolated from batches {} "
        "and {}), more than the budget of {}; use a smaller batch, or raise the budget with "
        "--max-instructions N (about 4 KiB of host memory each)",
        what, batch, double(estimate), kSampleBatch, 2 * kSampleBatch, budget));
}

}  // namespace nsim::runtime
