#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

// libsystemc references sc_main; the tests drive SystemC from their own main (Catch's), so this
// one is never called.
extern "C" int sc_main(int, char**) { return 1; }
