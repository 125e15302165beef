#include "sim/timing/cost_model.h"

#include "sim/core/instruction_registry.h"

namespace nsim::sim {

using isa::Engine;

double engine_clock_ghz(Engine engine, const CoreTiming& t) {
    switch (engine) {
        case Engine::tensor:
            return t.tensor_clock_ghz;
        case Engine::vector:
            return t.vector_clock_ghz;
        case Engine::scalar:
            return t.scalar_clock_ghz;
        case Engine::gpsimd:
            return t.gpsimd_clock_ghz;
        case Engine::sync:
            return t.scalar_clock_ghz;  // a sequencer only; DMA triggers cost nothing here
    }
    return t.vector_clock_ghz;
}

InstructionCost instruction_cost(const isa::Instruction& inst, const CoreTiming& t) {
    return instruction_registry()[inst.op].cost(inst, t);
}

}  // namespace nsim::sim
