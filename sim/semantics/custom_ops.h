// GpSimd custom operators: C++ functions registered by name, each with its own cost function.
// A kernel calls one with `custom_op name=NAME dst=... src0=... imm0=...`.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "isa/instruction.h"
#include "sim/semantics/core_state.h"

namespace nsim::sim {

// What a custom operator receives: its source tiles and immediates (decoded to fp32), and the
// destination tile to fill (pre-loaded with dst's current values).
struct CustomOpCall {
    std::vector<Tile> srcs;                    // src0..src3 that are given, in order
    std::array<std::optional<float>, 4> imms;  // imm0..imm3
    Tile dst;
};

struct CustomOp {
    std::string summary;
    std::function<void(CustomOpCall&)> compute;
    // GpSimd cycles for this call (the operator's own cost model).
    std::function<uint64_t(const isa::Instruction&)> cycles;
};

// The operators a simulation can call; owned by whoever runs the simulation (no global registry).
class CustomOpRegistry {
public:
    void add(const std::string& name, CustomOp op);
    const CustomOp* find(const std::string& name) const;
    std::vector<std::string> names() const;

private:
    std::map<std::string, CustomOp> m_ops;
};

// A registry with nsim's example operators (see custom_ops.cpp for the list).
CustomOpRegistry builtin_custom_ops();

}  // namespace nsim::sim
