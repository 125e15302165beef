#include <catch2/catch.hpp>

#include "isa/error.h"
#include "runtime/work_budget.h"

using nsim::runtime::check_instruction_budget;

TEST_CASE("work budget: a batch is refused when its extrapolated instructions pass the budget",
          "[runtime]") {
    int lowered = 0;
    // 1,000 instructions of setup and 100 per sequence: batch 1000 runs 101,000.
    const auto linear = [&](uint32_t batch) {
        ++lowered;
        return uint64_t(1000 + 100 * batch);
    };
    CHECK_NOTHROW(check_instruction_budget("m", 1000, 101000, linear));
    CHECK(lowered == 2);  // two samples, never the batch itself
    CHECK_THROWS_WITH(check_instruction_budget("m on i", 1000, 100999, linear),
                      Catch::Contains("m on i at batch 1000") &&
                          Catch::Contains("1.01e+05 instructions") &&
                          Catch::Contains("--max-instructions"));
    CHECK_THROWS_AS(check_instruction_budget("m", 1000, 100999, linear), nsim::InputError);
}

TEST_CASE("work budget: the usual batches are not estimated at all", "[runtime]") {
    int lowered = 0;
    const auto count = [&](uint32_t) {
        ++lowered;
        return uint64_t(1) << 40;
    };
    CHECK_NOTHROW(
        check_instruction_budget("m", nsim::runtime::kLargestUncheckedBatch, 1000, count));
    CHECK(lowered == 0);
    CHECK_THROWS(
        check_instruction_budget("m", nsim::runtime::kLargestUncheckedBatch + 1, 1000, count));
}
