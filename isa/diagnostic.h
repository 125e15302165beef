// Where a thing came from in a kernel file, and errors that name that place.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "isa/error.h"

namespace nsim::isa {

// A position in a kernel file; line 0 means "made in code" (the builder): messages then name the
// instruction by its index instead.
struct SourceLoc {
    unsigned line = 0;
    unsigned column = 0;
    bool operator==(const SourceLoc&) const {
        return true;
    }  // locations never make programs differ
    bool operator!=(const SourceLoc&) const { return false; }
};

// One problem found in a kernel: where, what was found, what was expected.
struct Diagnostic {
    SourceLoc loc;
    std::string message;  // "found X, expected Y" style
};

// Formats "file:line:column: error: message" (or "file: error: message" when the line is unknown).
std::string format_diagnostic(const std::string& file, const Diagnostic& d);

// Thrown by the parser and the verifier; carries every diagnostic found (at least one).
class KernelError : public Error {
public:
    KernelError(std::string file, std::vector<Diagnostic> diagnostics);
    const std::string& file() const { return m_file; }
    const std::vector<Diagnostic>& diagnostics() const { return m_diagnostics; }

private:
    std::string m_file;
    std::vector<Diagnostic> m_diagnostics;
};

}  // namespace nsim::isa
