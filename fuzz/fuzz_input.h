// What the libFuzzer targets share: the input as a file (the loaders take paths, as users give
// them), and the rule that only nsim's own errors may leave a loader.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <typeinfo>

#include <unistd.h>

#include "isa/error.h"

namespace nsim::fuzz {

// `bytes` written to this process's scratch file named `name`; returns its path.
inline std::string as_file(const uint8_t* data, size_t size, const char* name) {
    const std::string path =
        "/tmp/nsim-fuzz-" + std::to_string(::getpid()) + "-" + std::string(name);
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), std::streamsize(size));
    return path;
}

// Runs `load`: an nsim::Error (one message naming the place) is the expected refusal; any other
// exception would reach the user as a library's text, so it is a finding.
template <class Load>
void expect_only_nsim_errors(const char* what, Load&& load) {
    try {
        load();
    } catch (const nsim::Error&) {
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: a %s escaped: %s\n", what, typeid(e).name(), e.what());
        std::abort();
    }
}

}  // namespace nsim::fuzz
