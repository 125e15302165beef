// What the memory system did during a run: a core's DMA (per program) and a chip's device memory.
// Plain structs, so that reports can be read without SystemC.
#pragma once

#include <cstdint>
#include <vector>

namespace nsim::sim {

// What a core's DMA did during one program.
struct DmaReport {
    uint64_t transfers = 0;
    uint64_t descriptors = 0;
    uint64_t bytes = 0;               // moved by DMA (each transfer once)
    uint64_t device_read_bytes = 0;   // of those, read from device memory
    uint64_t device_write_bytes = 0;  // and written to it
    double busy_ns = 0;               // time at least one transfer was moving data
};

// What one device-memory channel (DDR channel or HBM stack) did during a run.
struct ChannelReport {
    uint64_t bytes = 0;
    uint64_t requests = 0;
    double busy_ns = 0;  // time serving requests (bytes plus per-request overhead)
};

// What a chip's device memory did during a run; achieved bandwidth = bytes / time_ns.
struct MemoryReport {
    uint64_t bytes_read = 0;
    uint64_t bytes_written = 0;
    double time_ns = 0;  // the run's simulated time
    std::vector<ChannelReport> channels;
    double achieved_gbps() const {
        return time_ns > 0 ? double(bytes_read + bytes_written) / time_ns : 0;
    }
};

}  // namespace nsim::sim
