// One point of a sweep run by itself (`nsim sweep-point`, what a Slurm array task calls): exactly
// what the local executor runs for it, a child process serving the point, with its record written
// where the sweep directory expects it.
#pragma once

#include <string>

#include "runtime/sweep_point_json.h"

namespace nsim::runtime {

// This machine's host name ("unknown host" if the system will not say).
std::string host_name();

// Runs the point of the specification file `spec_file` (a DIR/points/point-NNNNN.json) and writes
// its record, naming this host and `nsim_version`, to `out` atomically. A point whose simulation
// fails still gets a record, with the error. Throws InputError for an unreadable specification or
// an unwritable `out`.
PointRecord run_point_file(const std::string& spec_file, const std::string& out,
                           const std::string& nsim_version);

}  // namespace nsim::runtime
