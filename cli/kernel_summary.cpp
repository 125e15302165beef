#include "cli/kernel_summary.h"

#include <algorithm>
#include <array>
#include <set>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nsim::cli {

namespace {

using isa::Engine;
using isa::MemSpace;

// Rows of cells printed as aligned columns; `align` has one 'l' or 'r' per column.
std::string format_table(const std::vector<std::vector<std::string>>& rows,
                         std::string_view align) {
    std::vector<size_t> width(align.size(), 0);
    for (const auto& row : rows)
        for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    std::string out;
    for (const auto& row : rows) {
        std::string line = "  ";
        for (size_t c = 0; c < row.size(); ++c) {
            if (c > 0) line += "  ";
            line += align[c] == 'r' ? fmt::format("{:>{}}", row[c], width[c])
                                    : fmt::format("{:<{}}", row[c], width[c]);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + '\n';
    }
    return out;
}

// A size as people read it: "192 KiB" when it is a whole number of KiB or MiB, else "2060 B".
std::string format_size(uint64_t n) {
    if (n > 0 && n % (1024 * 1024) == 0) return fmt::format("{} MiB", n / (1024 * 1024));
    if (n > 0 && n % 1024 == 0) return fmt::format("{} KiB", n / 1024);
    return fmt::format("{} B", n);
}

std::string_view instances_of(isa::Generation g) {
    switch (g) {
        case isa::Generation::v1:
            return "inf1";
        case isa::Generation::v2:
            return "trn1, inf2";
        case isa::Generation::v3:
            return "trn2";
    }
    return "?";
}

std::string tensor_table(const isa::Program& p) {
    std::vector<std::vector<std::string>> rows = {{"name", "shape", "dtype", "role", "bytes"}};
    for (const auto& t : p.tensors)
        rows.push_back({t.name, fmt::format("[{}]", fmt::join(t.shape, ",")),
                        std::string(isa::dtype_name(t.dtype)),
                        std::string(isa::tensor_role_name(t.role)),
                        std::to_string(t.size_bytes())});
    return format_table(rows, "llllr");
}

// One row per opcode used (in opcode-table order), one column per engine, totals last.
std::string instruction_table(const isa::Program& p) {
    std::array<std::array<size_t, isa::kEngineCount>, isa::kOpcodeCount> count{};
    for (const auto& inst : p.instructions) ++count[size_t(inst.op)][size_t(inst.engine)];

    std::vector<std::vector<std::string>> rows(1, {"opcode"});
    for (int e = 0; e < isa::kEngineCount; ++e) rows[0].emplace_back(isa::engine_name(Engine(e)));
    rows[0].emplace_back("total");
    auto add_row = [&rows](std::string name, const std::array<size_t, isa::kEngineCount>& n) {
        std::vector<std::string> row{std::move(name)};
        size_t total = 0;
        for (size_t v : n) {
            row.push_back(v == 0 ? "." : std::to_string(v));
            total += v;
        }
        row.push_back(std::to_string(total));
        rows.push_back(std::move(row));
    };
    std::array<size_t, isa::kEngineCount> per_engine{};
    for (int op = 0; op < isa::kOpcodeCount; ++op) {
        const auto& n = count[size_t(op)];
        if (std::all_of(n.begin(), n.end(), [](size_t v) { return v == 0; })) continue;
        add_row(std::string(isa::opcode_info(isa::Opcode(op)).name), n);
        for (size_t e = 0; e < n.size(); ++e) per_engine[e] += n[e];
    }
    add_row("total", per_engine);
    return format_table(rows, "lrrrrrr");
}

// One past the highest byte an operand touches inside a partition. Computed from the pattern's
// extent rather than by walking its elements, which broadcast (step 0) patterns make huge.
uint64_t end_byte(const isa::AccessPattern& ap) {
    const int64_t end = std::max<int64_t>(ap.end_element(), 0);
    return ap.byte_offset + uint64_t(end) * isa::dtype_size(ap.dtype);
}

std::string memory_line(std::string_view space, uint64_t used, uint64_t capacity) {
    return fmt::format("  {:<5} {} B of {} per partition ({:.1f}%)\n", space, used,
                       format_size(capacity),
                       capacity ? 100.0 * double(used) / double(capacity) : 0.0);
}

// "s0 s1 s4 (3 of 256)": the ids used, how many, out of how many the target has.
std::string id_list(std::string_view prefix, const std::set<int64_t>& ids, uint64_t limit) {
    std::vector<std::string> names;
    for (int64_t id : ids) names.push_back(fmt::format("{}{}", prefix, id));
    return fmt::format("{} ({} of {})", fmt::join(names, " "), ids.size(), limit);
}

// What a kernel's instructions use, gathered in one pass.
struct Usage {
    uint64_t sbuf_end = 0, psum_end = 0;  // per partition, see end_byte()
    std::set<int64_t> semaphores, queues;
    size_t dma_on_default_queue = 0;
};

Usage usage_of(const isa::Program& p) {
    Usage u;
    for (const auto& inst : p.instructions) {
        for (const auto& arg : inst.args)
            if (const auto* ap = isa::pattern_of(arg)) {
                if (ap->space == MemSpace::sbuf) u.sbuf_end = std::max(u.sbuf_end, end_byte(*ap));
                if (ap->space == MemSpace::psum) u.psum_end = std::max(u.psum_end, end_byte(*ap));
            }
        for (const auto& w : inst.waits) u.semaphores.insert(w.sem);
        for (const auto& i : inst.incs) u.semaphores.insert(i.sem);
        if (isa::is_dma(inst.op)) {
            if (const auto* q = std::get_if<int64_t>(&inst.arg("queue")))
                u.queues.insert(*q);
            else
                ++u.dma_on_default_queue;
        }
    }
    return u;
}

std::string queue_text(const Usage& u, const isa::TargetLimits& limits) {
    std::vector<std::string> parts;
    if (!u.queues.empty()) parts.push_back(id_list("", u.queues, limits.dma_queues));
    if (u.dma_on_default_queue > 0)
        parts.push_back(fmt::format("{} transfer{} on the default queue", u.dma_on_default_queue,
                                    u.dma_on_default_queue == 1 ? "" : "s"));
    return parts.empty() ? "none (no dma_copy)" : fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace

std::string kernel_summary(const isa::Program& p, const std::string& file,
                           const isa::TargetLimits& limits) {
    const Usage usage = usage_of(p);
    uint64_t hbm_bytes = 0;
    for (const auto& t : p.tensors) hbm_bytes += t.size_bytes();

    std::string out;
    out += fmt::format("kernel      {}  ({})\n", p.name, file);
    out += fmt::format("target      {} ({})\n", isa::generation_name(p.target),
                       instances_of(p.target));
    out += fmt::format(
        "limits      {} partitions; per partition SBUF {}, PSUM {}; {} semaphores; "
        "{} DMA queues{}\n",
        limits.partitions, format_size(limits.sbuf_partition_bytes),
        format_size(limits.psum_partition_bytes), limits.semaphores, limits.dma_queues,
        limits.has_gpsimd ? "" : "; no GpSimd");
    out += fmt::format("form        {}, {} instructions\n",
                       p.form == isa::ProgramForm::sequential ? "sequential (program order)"
                                                              : "streams (one per engine)",
                       p.instructions.size());
    out += "verifier    ok: no errors\n";
    out += fmt::format("\nHBM tensors: {}, {} in all\n", p.tensors.size(), format_size(hbm_bytes));
    if (!p.tensors.empty()) out += tensor_table(p);
    out += "\ninstructions per opcode and engine\n" + instruction_table(p);
    out += "\non-chip memory touched (end of the highest byte any operand uses)\n";
    out += memory_line("sbuf", usage.sbuf_end, limits.sbuf_partition_bytes);
    out += memory_line("psum", usage.psum_end, limits.psum_partition_bytes);
    out += fmt::format(
        "\nsemaphores  {}\n",
        usage.semaphores.empty() ? "none" : id_list("s", usage.semaphores, limits.semaphores));
    out += fmt::format("dma queues  {}\n", queue_text(usage, limits));
    return out;
}

}  // namespace nsim::cli
