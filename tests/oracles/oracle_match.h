// How a simulated result is held to an oracle's fp32 value: shared by the tests that read the
// generated oracle headers.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "isa/dtype.h"

namespace nsim::oracles {

// Whether `got` (raw bits in `dt`) is the oracle's fp32 value `want` rounded into `dt`, allowing
// `ulps` fp32 ulps on either side of `want` before the rounding, and either zero sign when
// `zero_sign_free`. A NaN oracle accepts any NaN of a float dtype (payloads are unpublished).
inline bool accepts(isa::DType dt, uint32_t got, float want, int ulps, bool zero_sign_free) {
    if (std::isnan(want) && isa::is_float(dt)) return std::isnan(isa::decode(dt, got));
    if (got == isa::encode(dt, want)) return true;
    if (zero_sign_free && want == 0.0f && got == isa::encode(dt, -want)) return true;
    float lo = want, hi = want;
    for (int i = 0; i < ulps; ++i) {
        lo = std::nextafter(lo, -std::numeric_limits<float>::infinity());
        hi = std::nextafter(hi, std::numeric_limits<float>::infinity());
        if (got == isa::encode(dt, lo) || got == isa::encode(dt, hi)) return true;
    }
    return false;
}

}  // namespace nsim::oracles
