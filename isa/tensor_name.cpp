#include "isa/tensor_name.h"

#include <mutex>
#include <unordered_set>

namespace nsim::isa {

namespace {

// Every name interned so far; a set's elements keep their addresses as it grows.
struct NamePool {
    std::mutex lock;
    std::unordered_set<std::string> names;
};

NamePool& pool() {
    static NamePool p;
    return p;
}

}  // namespace

TensorName::TensorName(std::string_view name) {
    if (name.empty()) return;
    NamePool& p = pool();
    const std::lock_guard<std::mutex> hold(p.lock);
    m_name = &*p.names.emplace(name).first;
}

const std::string& TensorName::str() const {
    static const std::string none;
    return m_name ? *m_name : none;
}

}  // namespace nsim::isa
