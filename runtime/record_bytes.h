// Typed results across a child process's pipe: a header and a list of records, all trivially
// copyable, travel as their bytes, so every value (a double bit for bit) comes back exactly and
// no text format has to be kept in step with the structs.
#pragma once

#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace nsim::runtime {

template <typename Header, typename Record = Header>
std::string pack_records(const Header& header, const std::vector<Record>& records = {}) {
    static_assert(std::is_trivially_copyable_v<Header> && std::is_trivially_copyable_v<Record>);
    std::string bytes(sizeof(Header) + records.size() * sizeof(Record), '\0');
    std::memcpy(bytes.data(), &header, sizeof(Header));
    if (!records.empty())
        std::memcpy(bytes.data() + sizeof(Header), records.data(), records.size() * sizeof(Record));
    return bytes;
}

// The inverse of pack_records; throws std::runtime_error when the size cannot be one of its
// results (the child sent something else).
template <typename Header, typename Record = Header>
std::pair<Header, std::vector<Record>> unpack_records(const std::string& bytes) {
    static_assert(std::is_trivially_copyable_v<Header> && std::is_trivially_copyable_v<Record>);
    if (bytes.size() < sizeof(Header) || (bytes.size() - sizeof(Header)) % sizeof(Record) != 0)
        throw std::runtime_error("a simulation process sent " + std::to_string(bytes.size()) +
                                 " bytes, expected a header and whole records");
    std::pair<Header, std::vector<Record>> out;
    std::memcpy(&out.first, bytes.data(), sizeof(Header));
    out.second.resize((bytes.size() - sizeof(Header)) / sizeof(Record));
    if (!out.second.empty())
        std::memcpy(out.second.data(), bytes.data() + sizeof(Header),
                    out.second.size() * sizeof(Record));
    return out;
}

}  // namespace nsim::runtime
