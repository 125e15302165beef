// How much lowering and simulating one request may take, bounded before the work is done: a model
// at batch 10,000 would build tens of millions of instructions and tens of GiB before anything
// failed, so its size is extrapolated from two tiny lowerings and refused up front.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace nsim::runtime {

// Instructions per core: about batch 450 of BERT-base on one core, some 7 GiB of host memory and
// minutes of host time; the reference study's largest batch (64) needs a seventh of it.
inline constexpr uint64_t kDefaultMaxInstructions = 2'000'000;

// The batches lowered to extrapolate from: small enough to cost a fraction of a second. The kernels
// grow about linearly with the batch; from 4 to 8 the estimate errs high (BERT-base at batch 1000:
// 5.7 million estimated, 4.2 million built), which suits a budget.
inline constexpr uint32_t kSampleBatch = 4;
// Batches up to this are not estimated, so that the usual requests (the reference studies sweep
// 1 to 64) pay nothing for the check: BERT-large at 64 runs well within the default budget.
inline constexpr uint32_t kLargestUncheckedBatch = 64;

// Throws InputError when the instructions a core runs at `batch` (above kLargestUncheckedBatch),
// extrapolated linearly from `instructions_at(kSampleBatch)` and `instructions_at(2 *
// kSampleBatch)`, pass `budget`. `what` names the work ("bert-base-uncased on inf1.xlarge"), the
// message names the batch, the estimate and the flag that raises the budget.
void check_instruction_budget(const std::string& what, uint32_t batch, uint64_t budget,
                              const std::function<uint64_t(uint32_t)>& instructions_at);

}  // namespace nsim::runtime
