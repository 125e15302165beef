// Work split over the machine's cores: the parser, the verifier and the sync pass cut long
// kernels into slices that do not depend on each other.
#pragma once

#include <cstddef>
#include <functional>

namespace nsim::isa {

// How many slices of at least `min_size` items to cut `n` items into: at most one per core, at
// least one.
size_t slice_count(size_t n, size_t min_size);

// The fewest instructions the verifier and the sync pass give a thread. A thread costs its start
// and the memory it touches afresh, which shorter slices do not win back: on the 2-core machine of
// the README's host-speed table, verifying and finding the memory effects of the x16 matmul (18,464
// instructions) took 1.6 and 3.6 ms in two slices, 1.4 and 3.3 ms in one; at 92,000 instructions
// two slices won (sync pass 16.4 against 18.9 ms).
inline constexpr size_t kMinSliceInstructions = 32768;

// Runs work(0) .. work(count - 1) at once, work(0) on the calling thread and each other on a
// thread of its own; after all have ended, rethrows the exception of the lowest k that threw.
void run_on_threads(size_t count, const std::function<void(size_t k)>& work);

}  // namespace nsim::isa
