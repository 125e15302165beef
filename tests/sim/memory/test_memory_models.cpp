// The device-memory seam: the channel model and the simple model behind the same socket, chosen by
// the chip config (issue 14). Each test case is its own process (one simulation each); the test
// that runs a kernel on both models runs the first in a forked child.
#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <tlm_utils/simple_initiator_socket.h>

#include "compiler/sync_insertion.h"
#include "config_test_util.h"
#include "isa/error.h"
#include "isa/kernel_text.h"
#include "output_in_child.h"
#include "sim/config/chip_config.h"
#include "sim/memory/channel_memory_model.h"
#include "sim/memory/device_memory_factory.h"
#include "sim/memory/simple_memory_model.h"
#include "sim/system/run_system.h"

using namespace nsim;

namespace {

const std::string kSimpleVariant = NSIM_SOURCE_DIR "/examples/variants/trn1_simple_memory.json";

// What the tests compare between the two models: the kernel's output and its timing.
struct KernelOutcome {
    double time_ns = 0;
    uint64_t bytes_read = 0, bytes_written = 0;
    size_t channels = 0;
    std::vector<uint8_t> output;
};

// The 512^3 bf16 tiled matmul example (12 DMA transfers, 2 MiB through device memory) on two cores
// of `chip`, which share the device memory; inputs are fixed pseudo-random values.
KernelOutcome run_matmul(const sim::ChipConfig& chip) {
    const auto program =
        isa::parse_kernel_file(NSIM_SOURCE_DIR "/examples/kernels/matmul_bf16_512.nki");
    const auto streams = compiler::insert_sync(program, chip.limits, "matmul_bf16_512.nki");
    std::vector<sim::DeviceMemory> hbm(2);
    for (auto& m : hbm) {
        m.allocate(program.tensors);
        for (const std::string name : {"at", "b"}) {
            std::vector<float> v(512 * 512);
            for (size_t i = 0; i < v.size(); ++i) v[i] = float(int(i * 7919 % 17) - 8) / 8;
            m.set_values(name, v);
        }
    }
    const auto r = sim::run_system(chip, 1, {{0, 0, {&streams}}, {0, 1, {&streams}}}, hbm,
                                   sim::builtin_custom_ops(), sim::RunOptions{});
    return {r.time_ns, r.chips[0].bytes_read, r.chips[0].bytes_written, r.chips[0].channels.size(),
            hbm[0].bytes("c")};
}

// Runs `run` in a child process (SystemC elaborates once per process) and returns its outcome.
KernelOutcome in_child(const std::function<KernelOutcome()>& run) {
    const std::string bytes = test::output_in_child([&] {
        const KernelOutcome o = run();
        const uint64_t head[] = {uint64_t(o.bytes_read), uint64_t(o.bytes_written),
                                 uint64_t(o.channels)};
        std::string out(sizeof o.time_ns + sizeof head, '\0');
        std::memcpy(&out[0], &o.time_ns, sizeof o.time_ns);
        std::memcpy(&out[sizeof o.time_ns], head, sizeof head);
        return out.append(o.output.begin(), o.output.end());
    });
    KernelOutcome o;
    uint64_t head[3];
    REQUIRE(bytes.size() >= sizeof o.time_ns + sizeof head);
    std::memcpy(&o.time_ns, bytes.data(), sizeof o.time_ns);
    std::memcpy(head, bytes.data() + sizeof o.time_ns, sizeof head);
    o.bytes_read = head[0];
    o.bytes_written = head[1];
    o.channels = size_t(head[2]);
    o.output.assign(bytes.begin() + sizeof o.time_ns + sizeof head, bytes.end());
    return o;
}

// Sends timing transactions of the given lengths to a memory target, all presented at time 0 from
// one thread, and records when each completed and began to be served.
class Probe : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(Probe);
    tlm_utils::simple_initiator_socket<Probe> socket;
    std::vector<double> done_ns, service_start_ns;

    Probe(sc_core::sc_module_name name, std::vector<uint32_t> lengths)
        : sc_module(name), socket("socket"), m_lengths(std::move(lengths)) {
        SC_THREAD(run);
    }

private:
    void run() {
        tlm::tlm_generic_payload payload;
        sim::MemoryRequestExtension request;
        payload.set_extension(&request);
        payload.set_data_ptr(nullptr);
        payload.set_streaming_width(0);
        for (const uint32_t length : m_lengths) {
            payload.set_command(tlm::TLM_READ_COMMAND);
            payload.set_address(0);
            payload.set_data_length(length);
            request.served = false;
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            socket->b_transport(payload, delay);
            done_ns.push_back(delay.to_seconds() * 1e9);
            service_start_ns.push_back(request.served ? request.service_start.to_seconds() * 1e9
                                                      : -1);
        }
        payload.clear_extension(&request);  // the payload would free it
    }

    std::vector<uint32_t> m_lengths;
};

}  // namespace

TEST_CASE("memory: the same kernel gives identical outputs on both models, in different times",
          "[sim]") {
    const auto channels = in_child([] { return run_matmul(sim::load_chip("trn1")); });
    const auto simple = run_matmul(sim::load_chip(kSimpleVariant));
    CHECK(channels.channels == 2);  // trn1's two HBM stacks
    CHECK(simple.channels == 1);    // one server
    // The same traffic reached the memory, and the same numbers came out.
    CHECK(simple.bytes_read == channels.bytes_read);
    CHECK(simple.bytes_written == channels.bytes_written);
    CHECK(simple.bytes_read == 2 * 2 * 512 * 512 * 2);  // at and b, bf16, on each of two cores
    REQUIRE(simple.output.size() == 512 * 512 * 4);
    CHECK(simple.output == channels.output);
    CHECK(std::any_of(simple.output.begin(), simple.output.end(), [](uint8_t b) { return b; }));
    // Plausible times: neither model beats moving the bytes at the chip's 820 GB/s, and they stay
    // within 2x of each other; yet they differ (per-request overhead and two channels that fill
    // idle gaps, against one first-come-first-served queue).
    const double floor_ns = double(channels.bytes_read + channels.bytes_written) / 820;
    INFO("channels " << channels.time_ns << " ns, simple " << simple.time_ns << " ns");
    CHECK(channels.time_ns > floor_ns);
    CHECK(simple.time_ns > floor_ns);
    CHECK(simple.time_ns != channels.time_ns);
    CHECK(simple.time_ns < 2 * channels.time_ns);
    CHECK(channels.time_ns < 2 * simple.time_ns);
}

TEST_CASE(
    "memory: the simple model serves a transfer in latency + bytes / bandwidth, one at a time",
    "[sim]") {
    sc_core::sc_set_time_resolution(1, sc_core::SC_FS);  // as run_system (sim_time.h)
    const auto chip = sim::load_chip(kSimpleVariant);
    // The figures worked by hand below are trn1's.
    REQUIRE(chip.device_memory.bandwidth_gbps == 820);
    REQUIRE(chip.device_memory.access_latency_ns == 100);
    auto memory = sim::make_device_memory("memory", chip.device_memory);
    REQUIRE(dynamic_cast<sim::SimpleMemoryModel*>(memory.get()));
    constexpr uint32_t kBytes = 8u << 20;
    Probe probe("probe", {kBytes, kBytes});
    probe.socket.bind(memory->socket);
    sc_core::sc_start();
    // 8 MiB = 8388608 B at 820 B/ns: 10230.009756 ns; the first is done 100 ns after that.
    REQUIRE(probe.done_ns.size() == 2);
    CHECK(probe.service_start_ns[0] == Approx(0).margin(1e-6));
    CHECK(probe.done_ns[0] == Approx(10330.009756).epsilon(1e-9));
    // The second, presented at the same time, waits for the first to leave the server.
    CHECK(probe.service_start_ns[1] == Approx(10230.009756).epsilon(1e-9));
    CHECK(probe.done_ns[1] == Approx(20560.019512).epsilon(1e-9));
    const auto& report = memory->report();
    CHECK(report.bytes_read == 2 * uint64_t(kBytes));
    REQUIRE(report.channels.size() == 1);
    CHECK(report.channels[0].busy_ns == Approx(20460.019512).epsilon(1e-9));
}

TEST_CASE("memory: device_memory.model picks the implementation, channels by default", "[sim]") {
    auto trn1 = sim::load_chip("trn1");
    CHECK(trn1.device_memory.model == "channels");
    CHECK(sim::load_chip(kSimpleVariant).device_memory.model == "simple");
    auto channels = sim::make_device_memory("channels", trn1.device_memory);
    CHECK(dynamic_cast<sim::ChannelMemoryModel*>(channels.get()));
    sim::apply_override(trn1, "device_memory.model=simple");
    auto simple = sim::make_device_memory("simple", trn1.device_memory);
    CHECK(dynamic_cast<sim::SimpleMemoryModel*>(simple.get()));
    // Every word the config accepts has an implementation.
    for (const auto& model : sim::kDeviceMemoryModels) {
        trn1.device_memory.model = model;
        CHECK_NOTHROW(sim::make_device_memory(("any_" + model).c_str(), trn1.device_memory));
    }
}

TEST_CASE("memory: a bad device_memory.model is rejected naming the key and the choices", "[sim]") {
    const auto path = test::write_temp_json(
        "bad_memory_model",
        R"({"name": "x", "base": "trn1", "device_memory": {"model": {"value": "dramsys", "assumption": "a"}}})");
    const auto msg = test::config_error(sim::load_chip, path);
    CHECK_THAT(msg, Catch::Contains(path));
    CHECK_THAT(msg, Catch::Contains("/device_memory/model/value: found \"dramsys\", expected one "
                                    "of: channels, simple"));
    auto chip = sim::load_chip("trn1");
    try {
        sim::apply_override(chip, "device_memory.model=fast");
        FAIL("the override was accepted");
    } catch (const ConfigError& e) {
        CHECK_THAT(e.what(), Catch::Contains("device_memory.model"));
        CHECK_THAT(e.what(), Catch::Contains("expected one of: channels, simple"));
    }
    CHECK(chip.device_memory.model == "channels");
}
