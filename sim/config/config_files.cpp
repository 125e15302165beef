#include "sim/config/config_files.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "isa/error.h"

namespace fs = std::filesystem;

namespace nsim::sim {

std::vector<std::string> config_search_path() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("NSIM_CONFIG_DIR"); env && *env) dirs.emplace_back(env);
    dirs.emplace_back(NSIM_SOURCE_CONFIG_DIR);
    dirs.emplace_back(NSIM_INSTALL_CONFIG_DIR);
    return dirs;
}

std::string resolve_config(const std::string& name_or_path, const std::string& kind) {
    return resolve_named_file(name_or_path, config_search_path(), kind);
}

std::vector<std::string> list_configs(const std::string& kind) {
    return list_named_files(config_search_path(), kind);
}

std::string resolve_named_file(const std::string& name_or_path,
                               const std::vector<std::string>& dirs, const std::string& kind) {
    std::error_code ec;
    if (fs::is_regular_file(name_or_path, ec)) return name_or_path;
    std::string looked;
    for (const auto& dir : dirs) {
        const fs::path candidate = fs::path(dir) / kind / (name_or_path + ".json");
        if (fs::is_regular_file(candidate, ec)) return candidate.string();
        looked += "\n  " + candidate.string();
    }
    auto names = list_named_files(dirs, kind);
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("unknown " + kind.substr(0, kind.size() - 1) + " '" + name_or_path +
                      "': expected a JSON file or one of: " +
                      (known.empty() ? "(none found)" : known) + "\nlooked for:" + looked);
}

std::vector<std::string> list_named_files(const std::vector<std::string>& dirs,
                                          const std::string& kind) {
    for (const auto& dir : dirs) {
        std::error_code ec;
        const fs::path folder = fs::path(dir) / kind;
        if (!fs::is_directory(folder, ec)) continue;
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(folder, ec))
            if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
        std::sort(names.begin(), names.end());
        if (!names.empty()) return names;
    }
    return {};
}

}  // namespace nsim::sim
