// Conversion of whole runs of stored elements to and from fp32: the dtype dispatch once per run,
// not once per element, and inline fast paths for fp32 and bf16 (the types most data has).
#pragma once

#include <cstdint>
#include <cstring>

#include "isa/dtype.h"

namespace nsim::sim {

// An element's bits (1, 2 or 4 bytes, little-endian as the device and the host) at p: a
// fixed-size copy each, inlined, not a call to memcpy.
inline uint32_t load_bits(const uint8_t* p, unsigned size) {
    uint32_t v = 0;
    if (size == 1)
        std::memcpy(&v, p, 1);
    else if (size == 2)
        std::memcpy(&v, p, 2);
    else
        std::memcpy(&v, p, 4);
    return v;
}

inline void store_bits(uint8_t* p, uint32_t v, unsigned size) {
    if (size == 1)
        std::memcpy(p, &v, 1);
    else if (size == 2)
        std::memcpy(p, &v, 2);
    else
        std::memcpy(p, &v, 4);
}

// out[i] = isa::decode(t, element i), element i at p + i * stride bytes.
void decode_run(isa::DType t, const uint8_t* p, int64_t stride, uint64_t n, float* out);
// Element i at p + i * stride bytes = isa::encode(t, in[i]) rounded to nearest even.
void encode_run(isa::DType t, const float* in, uint64_t n, uint8_t* p, int64_t stride);

// out[i] = load_bits(p + i * stride, size), and the reverse: raw element bits.
void load_run(unsigned size, const uint8_t* p, int64_t stride, uint64_t n, uint32_t* out);
void store_run(unsigned size, const uint32_t* in, uint64_t n, uint8_t* p, int64_t stride);

}  // namespace nsim::sim
