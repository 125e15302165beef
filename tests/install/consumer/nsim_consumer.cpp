// Parses, verifies and prints a kernel file with the installed nsim::isa, and links nsim::sim.
#include <iostream>

#include "isa/kernel_text.h"
#include "isa/verifier.h"
#include "sim/config/chip_config.h"

// libsystemc references sc_main; this program never starts a simulation.
extern "C" int sc_main(int, char**) { return 1; }

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    try {
        const nsim::isa::Program p = nsim::isa::parse_kernel_file(argv[1]);
        nsim::isa::verify_or_throw(p, argv[1]);
        std::cout << nsim::isa::print_kernel(p);
    } catch (const nsim::isa::KernelError& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    return 0;
}
