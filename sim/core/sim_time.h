// Simulated time in nanoseconds as doubles, converted to and from SystemC time in one place.
#pragma once

#include <algorithm>
#include <systemc>

namespace nsim::sim {

inline constexpr double kTimeEpsilonNs = 1e-6;  // below the femtosecond resolution
// SystemC counts femtoseconds in 64 bits: 2^64 fs is 18,446 s. Later times are clamped to this
// (a delay of 1e300 ns from an absurd parameter must not wrap around to a small one); the run's
// budget (RunOptions::max_sim_time_ns, at most this) then stops the run with a message.
inline constexpr double kLatestTimeNs = 1.8e13;

inline double now_ns() { return sc_core::sc_time_stamp().to_seconds() * 1e9; }

// The delay from now until the absolute time `at_ns` (never negative).
inline sc_core::sc_time ns_from_now(double at_ns) {
    return sc_core::sc_time(std::clamp(at_ns - now_ns(), 0.0, kLatestTimeNs), sc_core::SC_NS);
}

// Cheap conversions for the DMA and memory hot path, where SystemC's double constructor shows in
// profiles. They assume the femtosecond resolution that run_system sets before elaboration.
inline sc_core::sc_time time_from_ns(double ns) {
    return sc_core::sc_time::from_value(
        sc_dt::uint64(std::clamp(ns, 0.0, kLatestTimeNs) * 1e6 + 0.5));
}
inline double ns_of(const sc_core::sc_time& t) { return double(t.value()) * 1e-6; }

}  // namespace nsim::sim
