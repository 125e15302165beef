// Robustness of the verifier: nonsense Programs (garbage enums, missing or wrong operands, absurd
// sizes near the integer limits) get diagnostics, never a crash or undefined behaviour. Run these
// under -DNSIM_SANITIZE=ON too.
#include <algorithm>
#include <limits>
#include <random>
#include <string>

#include "isa/kernel_text.h"
#include "isa/parallel.h"
#include "verify_helpers.h"

using namespace nsim::isa;
using namespace nsim::isa::test;

namespace {

constexpr uint32_t kU32Max = std::numeric_limits<uint32_t>::max();
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
constexpr int32_t kI32Min = std::numeric_limits<int32_t>::min();

std::vector<Diagnostic> verify_v2(const Program& p) {
    return verify(p, default_limits(Generation::v2));
}

// An access pattern whose every field sits at an integer limit.
AccessPattern absurd(MemSpace space, size_t ndims = 4) {
    AccessPattern ap;
    ap.space = space;
    ap.tensor = "x";
    ap.start_partition = kU32Max;
    ap.num_partitions = kU32Max;
    ap.byte_offset = kU64Max;
    ap.dims.assign(ndims, FreeDim{kI32Min, kU32Max});
    ap.partition_stride_bytes = kU64Max;
    return ap;
}

// A program with tensor x of `shape` and one instruction.
Program one(Instruction inst, std::vector<uint64_t> shape = {128, 512}) {
    Program p;
    p.name = "robust";
    p.tensors.push_back(
        TensorDecl{"x", std::move(shape), DType::float32, TensorRole::input, {}, {}});
    p.instructions.push_back(std::move(inst));
    return p;
}

// Garbage for every operand kind: each alternative, in absurd and empty forms.
std::vector<ArgValue> garbage_values() {
    AccessPattern bad_enums;
    bad_enums.dtype = DType(200);
    bad_enums.space = MemSpace(9);
    return {std::monostate{},
            absurd(MemSpace::sbuf),
            absurd(MemSpace::psum, 0),
            absurd(MemSpace::hbm),
            bad_enums,
            std::numeric_limits<double>::quiet_NaN(),
            -std::numeric_limits<double>::infinity(),
            std::numeric_limits<int64_t>::min(),
            std::numeric_limits<int64_t>::max(),
            true,
            std::vector<FreeDim>{},
            std::vector<FreeDim>(9, FreeDim{kI32Min, kU32Max}),
            std::string()};
}

}  // namespace

TEST_CASE("robustness: every opcode with every operand set to each garbage value", "[isa]") {
    for (int op = 0; op < kOpcodeCount; ++op)
        for (const ArgValue& g : garbage_values()) {
            Instruction inst = Instruction::make(Opcode(op));
            for (auto& a : inst.args) a = g;
            std::vector<Diagnostic> ds;
            REQUIRE_NOTHROW(ds = verify_v2(one(inst)));
            CHECK_FALSE(ds.empty());
        }
}

TEST_CASE("robustness: an empty or oversized operand vector is reported", "[isa]") {
    for (int op = 0; op < kOpcodeCount; ++op) {
        Instruction inst = Instruction::make(Opcode(op));
        inst.args.clear();
        CHECK_THAT(messages(verify_v2(one(inst))), Contains("holds 0 operand values, expected"));
        inst.args.assign(40, ArgValue(1.0));
        CHECK_THAT(messages(verify_v2(one(inst))), Contains("holds 40 operand values"));
    }
}

TEST_CASE("robustness: garbage opcode, engine, rounding and target values are reported", "[isa]") {
    Instruction inst = Instruction::make(Opcode::tensor_copy);
    inst.op = Opcode(200);
    CHECK_THAT(messages(verify_v2(one(inst))),
               Contains("instruction #0: found opcode value 200, expected a valid opcode"));
    inst = Instruction::make(Opcode::tensor_copy);
    inst.engine = Engine(77);
    inst.rounding = Rounding(9);
    const std::string m = messages(verify_v2(one(inst)));
    CHECK_THAT(m, Contains("found engine value 77, expected a valid engine"));
    CHECK_THAT(m, Contains("found rounding value 9, expected rne or sr"));
    Program p = one(inst);
    p.target = Generation(42);
    CHECK_THAT(messages(verify_v2(p)), Contains("found target value 42, expected v1, v2 or v3"));
    CHECK_THROWS_AS(verify_or_throw(p, "p.nki"), KernelError);
}

TEST_CASE("robustness: garbage tensor declarations are reported", "[isa]") {
    Instruction inst = Instruction::make(Opcode::dma_copy);
    inst.args[0] = sbuf(0, 1, 0, DType::float32, {1});
    inst.args[1] = absurd(MemSpace::hbm);
    Program p = one(inst, {kU64Max, kU64Max});
    p.tensors.push_back(TensorDecl{"y", {4}, DType(99), TensorRole(7), {}, {}});
    p.tensors.push_back(TensorDecl{"", {}, DType::int8, TensorRole::scratch, {}, {}});
    const std::string m = messages(verify_v2(p));
    CHECK_THAT(m, Contains("tensor 'x': size overflows 64 bits"));
    CHECK_THAT(m, Contains("tensor 'y': found dtype value 99"));
    CHECK_THAT(m, Contains("tensor '': invalid name"));
}

TEST_CASE("robustness: absurd access patterns are reported without overflow", "[isa]") {
    for (MemSpace space : {MemSpace::sbuf, MemSpace::psum, MemSpace::hbm}) {
        Instruction inst = Instruction::make(Opcode::dma_copy);
        inst.args[0] = sbuf(0, 1, 0, DType::float32, {1});
        AccessPattern src = absurd(space);
        src.dims = {{kI32Min, 3}, {std::numeric_limits<int32_t>::max(), kU32Max}};
        inst.args[1] = src;
        const std::string m = messages(verify_v2(one(inst, {1u << 20, 1u << 20})));
        CHECK_THAT(m, Contains("dma_copy operand 'src'"));
        CHECK_THAT(m, Contains("touches bytes ["));
    }
    // HBM bounds of a huge tensor and a huge view: every term exceeds 64 bits.
    Instruction inst = Instruction::make(Opcode::dma_copy);
    inst.args[0] = sbuf(0, 1, 0, DType::float32, {1});
    AccessPattern src = absurd(MemSpace::hbm, 1);
    src.partition_stride_bytes = uint64_t(1) << 42;
    inst.args[1] = src;
    CHECK_THAT(
        messages(verify_v2(one(inst, {1u << 20, 1u << 20}))),
        Contains("touches bytes [18871019183024004661247, 37797378593836731727875) of tensor 'x'"));
}

TEST_CASE("robustness: random nonsense programs never crash the verifier", "[isa]") {
    std::mt19937_64 rng(20240611);
    auto pick = [&](auto... values) {
        const std::vector<std::common_type_t<decltype(values)...>> v{values...};
        return v[rng() % v.size()];
    };
    auto random_ap = [&] {
        AccessPattern ap;
        ap.space = MemSpace(pick(0, 1, 2, 3));
        ap.tensor = pick("x", "y", "");
        ap.start_partition = pick(0u, 1u, 32u, 64u, 127u, 128u, kU32Max);
        ap.num_partitions = pick(0u, 1u, 32u, 64u, 128u, 129u, kU32Max);
        ap.byte_offset = pick(uint64_t(0), uint64_t(2), uint64_t(2048), uint64_t(196604), kU64Max);
        ap.dtype = DType(rng() % (kDTypeCount + 1));
        ap.dims.resize(rng() % (kMaxFreeDims + 1));
        for (auto& d : ap.dims)
            d = {pick(kI32Min, -1, 0, 1, 512, 0x7fffffff), pick(0u, 1u, 6u, 512u, 65536u, kU32Max)};
        ap.partition_stride_bytes = pick(uint64_t(0), uint64_t(2048), kU64Max);
        return ap;
    };
    auto random_value = [&]() -> ArgValue {
        switch (rng() % 7) {
            case 0:
                return std::monostate{};
            case 1:
                return random_ap();
            case 2:
                return pick(0.0, 2.5, -1.0, 1e30);
            case 3:
                return pick(int64_t(-1), int64_t(0), int64_t(1), int64_t(3), int64_t(40),
                            std::numeric_limits<int64_t>::max());
            case 4:
                return rng() % 2 == 0;
            case 5:
                return std::vector<FreeDim>(rng() % 6, FreeDim{pick(-1, 1), pick(0u, 4u, kU32Max)});
            default:
                return std::string(rng() % 2, 'f');
        }
    };
    for (int n = 0; n < 3000; ++n) {
        Program p;
        p.target = Generation(rng() % 4 == 3 ? 3 : rng() % 3);
        p.form = ProgramForm(rng() % 2);
        for (const char* name : {"x", "y"})
            if (rng() % 3)
                p.tensors.push_back(TensorDecl{
                    name,
                    std::vector<uint64_t>(rng() % 4,
                                          pick(uint64_t(0), uint64_t(128), uint64_t(512), kU64Max)),
                    DType(rng() % (kDTypeCount + 1)),
                    TensorRole(rng() % 5),
                    {},
                    {}});
        for (size_t i = 1 + rng() % 4; i > 0; --i) {
            Instruction inst = Instruction::make(Opcode(rng() % (kOpcodeCount + 1) % kOpcodeCount));
            if (rng() % 16 == 0) inst.op = Opcode(kOpcodeCount + 3);
            inst.engine = Engine(rng() % (kEngineCount + 1));
            inst.rounding = Rounding(rng() % 3);
            if (rng() % 8 == 0) inst.args.resize(rng() % 12);
            for (auto& a : inst.args) a = random_value();
            inst.waits.push_back({pick(0u, 255u, kU32Max), 1});
            inst.incs.push_back({pick(0u, 31u, kU32Max), pick(0u, 1u)});
            p.instructions.push_back(std::move(inst));
        }
        TargetLimits empty;
        empty.partitions = 0;
        empty.psum_banks = 0;
        empty.dma_queues = 0;
        for (const TargetLimits& limits : {default_limits(Generation::v1), empty})
            REQUIRE_NOTHROW(verify(p, limits));
    }
}

TEST_CASE("verifier: a long program's diagnostics are those of its parts, in instruction order",
          "[isa]") {
    // Enough instructions for two slices and more (checked on several threads where the machine
    // has cores), every 997th writing a partition range past the array.
    std::string text = "kernel slices\ntarget v2\ntensor x [128,64] f32 input\n";
    const int count = 2 * int(kMinSliceInstructions) + 4000;
    for (int i = 0; i < count; ++i)
        text += i % 997 == 500 ? "memset dst=sbuf[0:129]@0.f32[4] value=0\n"
                               : "memset dst=sbuf[0:128]@" + std::to_string(16 * (i % 100)) +
                                     ".f32[4] value=0\n";
    const Program whole = parse_kernel(text, "k.nki");
    const auto limits = default_limits(Generation::v2);
    const auto found = verify(whole, limits);
    REQUIRE(found.size() == size_t((count + 496) / 997));
    // The same program cut in parts short enough to be checked on one thread.
    std::vector<Diagnostic> parts;
    for (int from = 0; from < count; from += 3000) {
        Program part = whole;
        part.instructions.assign(whole.instructions.begin() + from,
                                 whole.instructions.begin() + std::min(from + 3000, count));
        for (auto& d : verify(part, limits)) parts.push_back(d);
    }
    REQUIRE(parts.size() == found.size());
    for (size_t k = 0; k < found.size(); ++k) {
        CHECK(found[k].loc.line == parts[k].loc.line);
        CHECK(found[k].message == parts[k].message);
        if (k > 0) CHECK(found[k].loc.line > found[k - 1].loc.line);
    }
}
