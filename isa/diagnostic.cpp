#include "isa/diagnostic.h"

#include <fmt/format.h>

namespace nsim::isa {

std::string format_diagnostic(const std::string& file, const Diagnostic& d) {
    if (d.loc.line == 0) return fmt::format("{}: error: {}", file, d.message);
    return fmt::format("{}:{}:{}: error: {}", file, d.loc.line, d.loc.column, d.message);
}

static std::string join_diagnostics(const std::string& file, const std::vector<Diagnostic>& ds) {
    std::string out;
    for (const auto& d : ds) {
        if (!out.empty()) out += '\n';
        out += format_diagnostic(file, d);
    }
    return out;
}

KernelError::KernelError(std::string file, std::vector<Diagnostic> diagnostics)
    : Error(ErrorKind::kernel, join_diagnostics(file, diagnostics)),
      m_file(std::move(file)),
      m_diagnostics(std::move(diagnostics)) {}

}  // namespace nsim::isa
