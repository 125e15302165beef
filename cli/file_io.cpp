#include "cli/file_io.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "isa/error.h"

namespace nsim::cli {

MappedFile map_kernel_file(const std::string& path) {
    return MappedFile(path, kMaxKernelFileBytes, ErrorKind::input);
}

void write_text_file(const std::string& path, std::string_view text) {
    const auto fail = [&] {
        return InputError("cannot write '" + path + "': " + std::strerror(errno));
    };
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw fail();
    out.write(text.data(), std::streamsize(text.size()));
    out.close();
    if (!out) throw fail();
}

}  // namespace nsim::cli
