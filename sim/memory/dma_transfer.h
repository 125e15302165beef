// One DMA transfer as the DMA engines see it: its descriptors (one per partition slice of the
// on-chip side, at most descriptor_bytes each [src:neuron-driver]) and the device-memory
// address each descriptor reads or writes.
#pragma once

#include <cstdint>
#include <limits>

#include "isa/instruction.h"
#include "sim/checks/vector_clock.h"
#include "sim/semantics/core_state.h"

namespace nsim::sim {

// The device-memory side of a transfer: where each row of the sliced side lives.
struct HbmSide {
    bool used = false;
    uint64_t base = 0;         // chip address of the row the first descriptor touches
    uint64_t row_stride = 0;   // bytes between consecutive rows of the tensor
    uint32_t tensor_rows = 0;  // rows of the access pattern (partitions of the HBM side)
    uint64_t row_address(uint64_t row, uint64_t rows) const {
        return base + row * tensor_rows / rows * row_stride;
    }
};

struct DmaTransfer {
    size_t instruction = 0;  // index into the program
    uint32_t queue = 0;
    isa::Engine issuer = isa::Engine::sync;
    VectorClock clock;  // what the transfer has seen (its issuer's clock at issue)
    uint64_t sequence = 0;
    double issue_ns = 0;
    double ready_ns = 0;  // issue plus the semaphore-to-start latency
    double start_ns = std::numeric_limits<double>::infinity();  // first descriptor starts
    double done_ns = 0;
    uint64_t bytes = 0;
    // Descriptors: `rows` slices of `row_bytes`, each cut into `chunks_per_row` descriptors.
    uint64_t rows = 0, row_bytes = 0, chunks_per_row = 0, descriptor_bytes = 0;
    uint64_t descriptors = 0, descriptors_left = 0;
    HbmSide src, dst;         // read from src, write to dst where they are device memory
    double throughput = 1.0;  // the share of a copy's bandwidth the engines reach (a transpose)

    uint64_t descriptor_size(uint64_t i) const {
        if (chunks_per_row == 1) return row_bytes;
        const uint64_t off = (i % chunks_per_row) * descriptor_bytes;
        return std::min(descriptor_bytes, row_bytes - off);
    }
    uint64_t descriptor_address(const HbmSide& side, uint64_t i) const {
        return side.row_address(i / chunks_per_row, rows) + (i % chunks_per_row) * descriptor_bytes;
    }
};

// Fills in the descriptors, device-memory addresses and throughput of `inst` (a dma_copy or
// dma_transpose, which moves the same bytes with the same descriptors); device-memory
// tensors are at `hbm_base` + their address in `hbm`.
void plan_transfer(DmaTransfer& t, const isa::Instruction& inst, const DeviceMemory& hbm,
                   uint64_t hbm_base, uint64_t descriptor_bytes);

}  // namespace nsim::sim
