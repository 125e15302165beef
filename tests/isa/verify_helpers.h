// Shared helpers of the verifier tests: build a kernel, verify it, and read the messages.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "isa/kernel_builder.h"
#include "isa/verifier.h"

namespace nsim::isa::test {

using Catch::Matchers::Contains;

inline constexpr DType f32 = DType::float32, tf32 = DType::tfloat32, bf16 = DType::bfloat16,
                       f16 = DType::float16, i8 = DType::int8, u8 = DType::uint8,
                       i16 = DType::int16, u16 = DType::uint16, i32 = DType::int32,
                       u32 = DType::uint32;

// The diagnostics of the kernel `body` builds, verified against `target`'s default limits.
inline std::vector<Diagnostic> diagnostics_of(const std::function<void(KernelBuilder&)>& body,
                                              Generation target = Generation::v2) {
    KernelBuilder b("test", target);
    body(b);
    return verify(b.build(), default_limits(target));
}

// Every message, one per line: "" for a valid kernel, so a failing CHECK shows what was found.
inline std::string messages(const std::vector<Diagnostic>& ds) {
    std::string out;
    for (const auto& d : ds) out += d.message + "\n";
    return out;
}

inline std::string messages_of(const std::function<void(KernelBuilder&)>& body,
                               Generation target = Generation::v2) {
    return messages(diagnostics_of(body, target));
}

// A contiguous [P, F] tile at `offset` bytes of every partition from 0.
inline AccessPattern tile(uint64_t offset, uint64_t f, DType t = f32, uint32_t p = 128) {
    return sbuf(0, p, offset, t, {f});
}
inline AccessPattern psum_tile(uint64_t offset, uint64_t f, DType t = f32, uint32_t p = 128) {
    return psum(0, p, offset, t, {f});
}

}  // namespace nsim::isa::test
