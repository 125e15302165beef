// Work split over the machine's cores: the parser, the verifier and the sync pass cut long
// kernels into slices that do not depend on each other.
#pragma once

#include <cstddef>
#include <functional>

namespace nsim::isa {

// How many slices of at least `min_size` items to cut `n` items into: at most one per core, at
// least one.
size_t slice_count(size_t n, size_t min_size);

// Runs work(0) .. work(count - 1) at once, work(0) on the calling thread and each other on a
// thread of its own; after all have ended, rethrows the exception of the lowest k that threw.
void run_on_threads(size_t count, const std::function<void(size_t k)>& work);

}  // namespace nsim::isa
