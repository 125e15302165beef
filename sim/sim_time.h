// Simulated time in nanoseconds as doubles, converted to and from SystemC time in one place.
#pragma once

#include <algorithm>
#include <systemc>

namespace nsim::sim {

inline constexpr double kTimeEpsilonNs = 1e-6;  // below the femtosecond resolution

inline double now_ns() { return sc_core::sc_time_stamp().to_seconds() * 1e9; }

// The delay from now until the absolute time `at_ns` (never negative).
inline sc_core::sc_time ns_from_now(double at_ns) {
    return sc_core::sc_time(std::max(0.0, at_ns - now_ns()), sc_core::SC_NS);
}

}  // namespace nsim::sim
