// libFuzzer target for .npy files: whatever the bytes, read_npy refuses them with an nsim error
// or returns an array whose data is exactly what its shape and dtype need.
#include <cstdio>

#include "fuzz/fuzz_input.h"
#include "sim/io/npy.h"
#include "sim/io/npy_header.h"

using namespace nsim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::as_file(data, size, "array.npy");
    fuzz::expect_only_nsim_errors("npy", [&] {
        const sim::NpyArray a = sim::read_npy(path);
        const sim::NpyScalar scalar = sim::parse_npy_descr(a.descr, path);
        if (a.data.size() != sim::npy_data_bytes(a.shape, scalar.size, path)) {
            std::fprintf(stderr, "npy: %zu data bytes for its shape and dtype\n", a.data.size());
            std::abort();
        }
    });
    return 0;
}
