#include "isa/parallel.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace nsim::isa {

size_t slice_count(size_t n, size_t min_size) {
    const size_t cores = std::max(1u, std::thread::hardware_concurrency());
    return std::max<size_t>(1, std::min(cores, n / std::max<size_t>(min_size, 1)));
}

void run_on_threads(size_t count, const std::function<void(size_t k)>& work) {
    std::vector<std::exception_ptr> failures(count);
    const auto guarded = [&](size_t k) {
        try {
            work(k);
        } catch (...) {
            failures[k] = std::current_exception();
        }
    };
    std::vector<std::thread> threads;
    for (size_t k = 1; k < count; ++k) threads.emplace_back(guarded, k);
    if (count > 0) guarded(0);
    for (auto& t : threads) t.join();
    for (const auto& f : failures)
        if (f) std::rethrow_exception(f);
}

}  // namespace nsim::isa
