// The name of an HBM tensor as access patterns hold it: interned, so a pattern is small, copies
// without the heap and compares names by address.
#pragma once

#include <string>
#include <string_view>

namespace nsim::isa {

// A pointer to the process's one copy of the name: names are few (the tensors kernels declare) and
// kept for the life of the process. The empty name is the null pointer. A name converts to and from
// strings implicitly, as the std::string it replaced. Interning takes a lock: parsers on several
// threads may meet the same name.
class TensorName {
public:
    TensorName() = default;
    TensorName(std::string_view name);
    TensorName(const std::string& name) : TensorName(std::string_view(name)) {}
    TensorName(const char* name) : TensorName(std::string_view(name)) {}

    const std::string& str() const;
    operator const std::string&() const { return str(); }
    std::string_view view() const { return str(); }
    bool empty() const { return m_name == nullptr; }

    friend bool operator==(TensorName a, TensorName b) { return a.m_name == b.m_name; }
    friend bool operator!=(TensorName a, TensorName b) { return a.m_name != b.m_name; }

private:
    const std::string* m_name = nullptr;
};

}  // namespace nsim::isa
