// libFuzzer target for chip and instance configuration: an input that starts like JSON is loaded
// as a chip file and as an instance file; any other input is a list of `--set PATH=VALUE` lines
// applied to trn1 and to trn1.32xlarge. Whatever the bytes, the loader refuses them with an nsim
// error or gives a configuration; nothing else may escape.
#include <sstream>

#include "fuzz/fuzz_input.h"
#include "sim/config/chip_config.h"
#include "sim/config/instance_config.h"

using namespace nsim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
        const std::string path = fuzz::as_file(data, size, "config.json");
        fuzz::expect_only_nsim_errors("chip file", [&] { sim::load_chip(path); });
        fuzz::expect_only_nsim_errors("instance file", [&] { sim::load_instance(path); });
        return 0;
    }

    static const sim::ChipConfig chip = sim::load_chip("trn1");
    static const sim::InstanceConfig instance = sim::load_instance("trn1.32xlarge");
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        fuzz::expect_only_nsim_errors("chip --set", [&] {
            sim::ChipConfig c = chip;
            sim::apply_override(c, line);
        });
        fuzz::expect_only_nsim_errors("instance --set", [&] {
            sim::InstanceConfig i = instance;
            sim::apply_override(i, line);
        });
    }
    return 0;
}
