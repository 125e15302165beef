// Tests of the kernel text format: round trips for every opcode of the table, the features of the
// format, one test per syntax rule for malformed kernels, and robustness against garbage.
#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "isa/kernel_text.h"

using namespace nsim::isa;

namespace {

constexpr const char* kHeader =
    "kernel k\n"
    "target v2\n"
    "tensor x [128,4,8] f32 input\n";

Program header_program() { return parse_kernel(kHeader, "header"); }

// A valid access pattern in the first space `spaces` allows; `strided` picks the {[STEP,NUM]} form.
AccessPattern sample_ap(SpaceSet spaces, const Program& p, bool strided) {
    if (!(spaces & kOnChip)) return whole_tensor(*p.find_tensor("x"));
    AccessPattern ap;
    ap.space = (spaces & kSbuf) ? MemSpace::sbuf : MemSpace::psum;
    ap.num_partitions = strided ? 32 : 128;
    ap.start_partition = strided ? 64 : 0;
    ap.byte_offset = strided ? 96 : 0;
    ap.dtype = strided ? DType::float32 : DType::bfloat16;
    ap.dims = strided ? std::vector<FreeDim>{{-1, 8}, {16, 2}, {1, 1}}
                      : std::vector<FreeDim>{{64, 4}, {1, 64}};
    return ap;
}

// A valid value of every operand kind, so new table rows are covered without new test code.
ArgValue sample_value(const ArgSpec& spec, const Program& p, bool full, bool immediates) {
    switch (spec.kind) {
        case ArgKind::ap:
            return sample_ap(spec.spaces, p, full);
        case ArgKind::ap_or_imm: {
            if (immediates) return double(-0.1f);
            AccessPattern scalar = sample_ap(spec.spaces, p, false);
            scalar.dims = {{1, 1}};
            return scalar;
        }
        case ArgKind::imm:
            return double(0.1f);
        case ArgKind::integer:
            return int64_t(full ? -4 : 3);
        case ArgKind::boolean:
            return full;
        case ArgKind::alu_op:
            return int64_t(AluOp::maximum);
        case ArgKind::act_func:
            return int64_t(ActFunc::gelu);
        case ArgKind::reduce_cmd:
            return int64_t(ReduceCmd::reset_reduce);
        case ArgKind::pattern:
            return std::vector<FreeDim>{{1, 512}, {0, 4}};
        case ArgKind::name:
            return std::string("my_op");
        case ArgKind::int_list:
            return std::vector<int64_t>{-3, 0, 255};
    }
    return {};
}

// `op` with only its required operands, or with all of them plus every generic key.
Instruction sample_instruction(Opcode op, const Program& p, bool full, bool immediates) {
    const OpcodeInfo& info = opcode_info(op);
    Instruction inst = Instruction::make(op);
    for (size_t i = 0; i < info.args.size(); ++i)
        if (full || info.args[i].required)
            inst.args[i] = sample_value(info.args[i], p, full, immediates);
    if (full) {
        for (int e = kEngineCount; e-- > 0;)
            if (has_engine(info.engines, Engine(e))) inst.engine = Engine(e);
        inst.rounding = Rounding::stochastic;
        inst.waits = {{1, 2}, {3, 0}};
        inst.incs = {{4, 1}, {5, 7}};
    }
    return inst;
}

// print -> parse gives the same program, and printing that again gives the same text.
void require_round_trip(const Program& p) {
    const std::string text = print_kernel(p);
    INFO(text);
    const Program q = parse_kernel(text, "printed");
    REQUIRE(q == p);
    REQUIRE(print_kernel(q) == text);
}

// Parsing `text` must fail with a diagnostic at line:column whose message contains `phrase`.
void require_error(const std::string& text, unsigned line, unsigned column,
                   const std::string& phrase) {
    INFO(text);
    try {
        parse_kernel(text, "bad.kernel");
        FAIL("parsed without error");
    } catch (const KernelError& e) {
        INFO(e.what());
        CHECK(e.file() == "bad.kernel");
        const auto& ds = e.diagnostics();
        CHECK(std::any_of(ds.begin(), ds.end(), [&](const Diagnostic& d) {
            return d.loc.line == line && d.loc.column == column &&
                   d.message.find(phrase) != std::string::npos;
        }));
    }
}

// A short valid on-chip operand; 18 characters, which the column numbers below count on.
const std::string A = "sbuf[0:1]@0.f32[1]";

}  // namespace

// ---- round trips ----------------------------------------------------------------------------

TEST_CASE("kernel text: every opcode round-trips with required and with all operands", "[isa]") {
    const Program base = header_program();
    for (int i = 0; i < kOpcodeCount; ++i) {
        const Opcode op = Opcode(i);
        INFO(opcode_info(op).name);
        for (const bool full : {false, true})
            for (const bool immediates : {false, true}) {
                Program p = base;
                p.instructions = {sample_instruction(op, p, full, immediates)};
                require_round_trip(p);
                const Program q = parse_kernel(print_kernel(p), "printed");
                const Instruction& inst = q.instructions.at(0);
                CHECK(inst.loc.line == 5);
                for (size_t a = 0; a < inst.args.size(); ++a)
                    if (inst.has(int(a))) {
                        const SourceLoc at = inst.arg_loc(opcode_info(inst.op).args[a].name);
                        CHECK(at.line == 5);
                        CHECK(at.column > inst.loc.column);
                    }
            }
    }
}

TEST_CASE("kernel text: every opcode round-trips in the streams form on each of its engines",
          "[isa]") {
    Program p = header_program();
    p.form = ProgramForm::streams;
    for (int i = 0; i < kOpcodeCount; ++i)
        for (int e = 0; e < kEngineCount; ++e)
            if (has_engine(opcode_info(Opcode(i)).engines, Engine(e))) {
                Instruction inst = sample_instruction(Opcode(i), p, true, i % 2 == 0);
                inst.engine = Engine(e);
                p.instructions.push_back(inst);
            }
    std::stable_sort(
        p.instructions.begin(), p.instructions.end(),
        [](const Instruction& a, const Instruction& b) { return a.engine < b.engine; });
    require_round_trip(p);
    CHECK(print_kernel(p).find("engine=") == std::string::npos);
}

TEST_CASE("kernel text: an empty streams program keeps its form", "[isa]") {
    Program p = parse_kernel(std::string(kHeader) + "stream vector\n", "k");
    CHECK(p.form == ProgramForm::streams);
    require_round_trip(p);
}

TEST_CASE("kernel text: an operand text read again gives the pattern read the first time",
          "[isa]") {
    // 3,000 texts (more than the parser keeps), each used several times in a random order: every
    // instruction holds what its line alone reads to.
    std::mt19937 rng(7);
    std::vector<std::string> texts;
    for (int i = 0; i < 3000; ++i)
        texts.push_back(
            i % 3 == 2 ? "x[" + std::to_string(i % 128) + ":128]@" + std::to_string(4 * (i % 8)) +
                             ".f32[" + std::to_string(1 + i % 4) + "]"
                       : "sbuf[0:" + std::to_string(1 + i % 128) + "]@" + std::to_string(4 * i) +
                             (i % 2 ? ".bf16" : ".f32") + "[" + std::to_string(1 + i % 16) + "]");
    std::string body;
    std::vector<std::string> lines;
    for (int i = 0; i < 12000; ++i) {
        lines.push_back("tensor_copy dst=" + texts[rng() % texts.size()] +
                        " src=" + texts[rng() % texts.size()] + "\n");
        body += lines.back();
    }
    const Program all = parse_kernel(std::string(kHeader) + body, "k", {1, 1});
    REQUIRE(all.instructions.size() == lines.size());
    for (size_t i = 0; i < lines.size(); i += 7) {
        INFO(lines[i]);
        const Program alone = parse_kernel(std::string(kHeader) + lines[i], "k");
        CHECK(all.instructions[i] == alone.instructions[0]);
    }
}

TEST_CASE("kernel text: instructions with one operand text share one pattern, compared by value",
          "[isa]") {
    const Program p =
        parse_kernel(std::string(kHeader) +
                         "tensor_copy dst=sbuf[0:128]@0.f32[4] src=sbuf[0:128]@64.f32[4]\n"
                         "tensor_copy dst=sbuf[0:128]@0.f32[4] src=sbuf[0:128]@32.f32[4]\n",
                     "k", {1, 1});
    REQUIRE(p.instructions.size() == 2);
    const auto& [first, second] = std::tie(p.instructions[0], p.instructions[1]);
    CHECK(first.ap("dst") == second.ap("dst"));  // one pattern, not two copies
    CHECK(first.ap("src") != second.ap("src"));
    CHECK(*first.ap("src") != *second.ap("src"));
    // A pattern built apart compares equal to the parsed one when their values are.
    Instruction built = first;
    built.args[size_t(arg_index(first.op, "dst"))] = AccessPattern(*first.ap("dst"));
    CHECK(built.ap("dst") != first.ap("dst"));
    CHECK(built == first);
    built.args[size_t(arg_index(first.op, "dst"))] = AccessPattern(*second.ap("src"));
    CHECK(built != first);
}

TEST_CASE("kernel text: a line read again is its instruction again, on its own line", "[isa]") {
    const std::string line = "tensor_copy dst=sbuf[0:128]@0.f32[4] src=sbuf[0:128]@64.f32[4]";
    const std::string text = std::string(kHeader) +                           // lines 1 to 3
                             line + "\n" +                                    // 4
                             "# above the second\n" + line + "\n" +           // 5, 6
                             line + " # its own\n" + line + " # its own\n" +  // 7, 8
                             line + "\n";                                     // 9: nothing above it
    const Program p = parse_kernel(text, "k", {1, 1});
    REQUIRE(p.instructions.size() == 5);
    const std::vector<unsigned> lines{4, 6, 7, 8, 9};
    const std::vector<std::vector<std::string>> comments{
        {}, {"above the second"}, {"its own"}, {"its own"}, {}};
    for (size_t i = 0; i < p.instructions.size(); ++i) {
        INFO("instruction " << i);
        CHECK(p.instructions[i] == p.instructions[0]);
        CHECK(p.instructions[i].ap("dst") == p.instructions[0].ap("dst"));  // shared
        CHECK(p.instructions[i].loc.line == lines[i]);
        CHECK(p.instructions[i].loc.column == 1);
        CHECK(p.instructions[i].comments == comments[i]);
    }
    SECTION("in stream blocks, each block's engine") {
        const Program streams = parse_kernel(
            std::string(kHeader) + "stream vector\n" + line + "\nstream scalar\n" + line + "\n",
            "k", {1, 1});
        REQUIRE(streams.instructions.size() == 2);
        CHECK(streams.instructions[0].engine == Engine::vector);
        CHECK(streams.instructions[1].engine == Engine::scalar);
        CHECK(streams.instructions[1].loc.line == 7);
    }
    SECTION("a broken line read again is reported again") {
        try {
            parse_kernel(
                std::string(kHeader) + "memset dst=" + A + "\n" + line + "\nmemset dst=" + A + "\n",
                "bad", {1, 1});
            FAIL("parsed without error");
        } catch (const KernelError& e) {
            REQUIRE(e.diagnostics().size() == 2);
            CHECK(e.diagnostics()[0].loc.line == 4);
            CHECK(e.diagnostics()[1].loc.line == 6);
        }
    }
}

TEST_CASE("kernel text: canonical form of the sequential features", "[isa]") {
    const std::string text =
        "# header comment\n"
        "kernel features   # on the kernel line\n"
        "target v3\n"
        "# about x\n"
        "tensor x [128, 4, 8] float32 input\n"
        "tensor b [128] bf16 weight\n"
        "\n"
        "#first\n"
        "\n"
        "tensor_copy dst=sbuf[0:128]@0.f32{[-1,8],[16,4]} src=x wait=s0>=1 wait=s2>=0x10 inc=s1 "
        "inc=s3+2 round=sr  # at the end\n"
        "memset dst=sbuf[0:64]@0x20.bf16[ 2 , 3 ] value=-inf\n"
        "\tmemset  value=inf   dst=sbuf[64:128]@0.i32[1] engine=gpsimd\n"
        "activation dst=sbuf[0:128]@0.f32[1] op=exp data=b scale=-3.5e-2 bias=0.1 round=rne\n"
        "tensor_reduce dst=sbuf[0:128]@0.f32[1] op=add data=sbuf[0:128]@0.f32[4] axis=-0x1 "
        "engine=vector\n"
        "#\n"
        "#  trailing\n";
    const std::string canonical =
        "# header comment\n"
        "# on the kernel line\n"
        "kernel features\n"
        "target v3\n"
        "# about x\n"
        "tensor x [128,4,8] f32 input\n"
        "tensor b [128] bf16 weight\n"
        "\n"
        "# first\n"
        "# at the end\n"
        "tensor_copy dst=sbuf[0:128]@0.f32{[-1,8],[16,4]} src=x[0:128]@0.f32[4,8] round=sr "
        "wait=s0>=1 wait=s2>=16 inc=s1 inc=s3+2\n"
        "memset dst=sbuf[0:64]@32.bf16[2,3] value=-inf\n"
        "memset engine=gpsimd dst=sbuf[64:128]@0.i32[1] value=inf\n"
        "activation dst=sbuf[0:128]@0.f32[1] op=exp data=b[0:128]@0.bf16[] scale=-0.035 bias=0.1\n"
        "tensor_reduce dst=sbuf[0:128]@0.f32[1] op=add data=sbuf[0:128]@0.f32[4] axis=-1\n"
        "#\n"
        "#  trailing\n";
    const Program p = parse_kernel(text, "features");
    CHECK(print_kernel(p) == canonical);
    require_round_trip(p);

    CHECK(p.name == "features");
    CHECK(p.target == Generation::v3);
    CHECK(p.header_comments == std::vector<std::string>{"header comment", "on the kernel line"});
    CHECK(p.tensors.at(0).comments == std::vector<std::string>{"about x"});
    CHECK(p.trailing_comments == std::vector<std::string>{"", " trailing"});
    const Instruction& copy = p.instructions.at(0);
    CHECK(copy.comments == std::vector<std::string>{"first", "at the end"});
    CHECK(copy.ap("dst")->dims == std::vector<FreeDim>{{-1, 8}, {16, 4}});
    CHECK(*copy.ap("src") == whole_tensor(p.tensors.at(0)));
    CHECK(copy.ap("src")->partition_stride_bytes == 4 * 8 * 4);
    CHECK(copy.waits == std::vector<SemWait>{{0, 1}, {2, 16}});
    CHECK(copy.incs == std::vector<SemInc>{{1, 1}, {3, 2}});
    CHECK(copy.rounding == Rounding::stochastic);
    CHECK(copy.loc.line == 10);
    CHECK(copy.loc.column == 1);
    CHECK(copy.arg_loc("src").column == 50);
    CHECK(std::get<double>(p.instructions.at(1).arg("value")) ==
          -std::numeric_limits<double>::infinity());
    CHECK(p.instructions.at(1).ap("dst")->byte_offset == 0x20);
    CHECK(p.instructions.at(2).engine == Engine::gpsimd);
    CHECK(p.instructions.at(2).loc.column == 2);
    CHECK(std::get<double>(p.instructions.at(3).arg("scale")) == double(-3.5e-2f));
    CHECK(p.instructions.at(3).ap("data")->dims.empty());
    CHECK(std::get<int64_t>(p.instructions.at(4).arg("axis")) == -1);
    CHECK(p.tensors.at(1).loc.line == 6);

    for (const auto& inst : p.instructions)
        CHECK(canonical.find(format_instruction(inst) + "\n") != std::string::npos);
    CHECK(format_access_pattern(*copy.ap("dst")) == "sbuf[0:128]@0.f32{[-1,8],[16,4]}");
}

TEST_CASE("kernel text: stream blocks are joined per engine in engine order", "[isa]") {
    const std::string text =
        std::string(kHeader) +
        "stream sync\n"
        "dma_copy dst=sbuf[0:128]@0.f32[32] src=x inc=s0\n"
        "# before vector\n"
        "stream vector\n"
        "tensor_copy dst=sbuf[0:128]@128.f32[32] src=sbuf[0:128]@0.f32[32] wait=s0>=1 "
        "engine=vector\n"
        "stream gpsimd\n"
        "dma_copy dst=x src=sbuf[0:128]@128.f32[32]\n"
        "stream vector\n"
        "tensor_copy dst=sbuf[0:128]@256.f32[32] src=sbuf[0:128]@128.f32[32]\n";
    const Program p = parse_kernel(text, "streams");
    REQUIRE(p.form == ProgramForm::streams);
    REQUIRE(p.instructions.size() == 4);
    CHECK(p.instructions[0].engine == Engine::vector);
    CHECK(p.instructions[0].comments == std::vector<std::string>{"before vector"});
    CHECK(p.instructions[1].engine == Engine::vector);
    CHECK(p.instructions[1].ap("dst")->byte_offset == 256);
    CHECK(p.instructions[2].engine == Engine::gpsimd);
    CHECK(p.instructions[2].op == Opcode::dma_copy);
    CHECK(p.instructions[3].engine == Engine::sync);
    const std::string printed = print_kernel(p);
    CHECK(printed ==
          "kernel k\ntarget v2\ntensor x [128,4,8] f32 input\n\n"
          "stream vector\n"
          "# before vector\n"
          "tensor_copy dst=sbuf[0:128]@128.f32[32] src=sbuf[0:128]@0.f32[32] wait=s0>=1\n"
          "tensor_copy dst=sbuf[0:128]@256.f32[32] src=sbuf[0:128]@128.f32[32]\n"
          "stream gpsimd\n"
          "dma_copy dst=x[0:128]@0.f32[4,8] src=sbuf[0:128]@128.f32[32]\n"
          "stream sync\n"
          "dma_copy dst=sbuf[0:128]@0.f32[32] src=x[0:128]@0.f32[4,8] inc=s0\n");
    require_round_trip(p);
}

TEST_CASE("kernel text: immediates are rounded to fp32 and print in their shortest form", "[isa]") {
    std::string text = kHeader;
    for (const char* value : {"0.1", "1e-45", "3.4028235e38", "nan"})
        text += "memset dst=" + A + " value=" + value + "\n";
    const Program p = parse_kernel(text, "imm");
    CHECK(std::get<double>(p.instructions[0].arg("value")) == double(0.1f));
    const std::string printed = print_kernel(p);
    CHECK(printed.find("value=0.1\n") != std::string::npos);
    CHECK(printed.find("value=1e-45\n") != std::string::npos);
    CHECK(printed.find("value=3.4028235e+38\n") != std::string::npos);
    CHECK(printed.find("value=nan\n") != std::string::npos);
    CHECK(print_kernel(parse_kernel(printed, "again")) == printed);
}

TEST_CASE("kernel text: a strided pattern with a unit dim is printed in the explicit form",
          "[isa]") {
    AccessPattern ap;
    ap.dims = {{5, 1}, {1, 4}};  // row-major would be [4, 1] steps, so this must stay explicit
    CHECK(format_access_pattern(ap) == "sbuf[0:1]@0.f32{[5,1],[1,4]}");
    ap.dims = {{4, 1}, {1, 4}};
    CHECK(format_access_pattern(ap) == "sbuf[0:1]@0.f32[1,4]");
}

// ---- malformed kernels: one rule each -----------------------------------------------------------

TEST_CASE("kernel text: unknown opcode", "[isa]") {
    require_error(std::string(kHeader) + "tensr_copy dst=" + A + " src=" + A, 4, 1,
                  "unknown opcode 'tensr_copy', expected one of: nc_matmul");
}

TEST_CASE("kernel text: unknown operand key lists the valid keys", "[isa]") {
    require_error(
        std::string(kHeader) + "memset dst=" + A + " valu=1", 4, 31,
        "unknown operand 'valu' of memset, expected one of: dst, value, engine, wait, inc, round");
}

TEST_CASE("kernel text: duplicate operand key", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=" + A + " value=1 value=2", 4, 39,
                  "duplicate operand 'value' (first at column 31)");
    require_error(std::string(kHeader) + "memset dst=" + A + " value=1 round=sr round=sr", 4, 48,
                  "duplicate operand 'round' (first at column 39)");
    // Past column 65,535 an operand's column is not kept, and a second one is still refused.
    const std::string far = std::string(70000, ' ') + "value=1";
    require_error(std::string(kHeader) + "memset dst=" + A + far + far, 4, 140037,
                  "duplicate operand 'value', expected each key once");
}

TEST_CASE("kernel text: every opcode has at most kMaxOperands operands", "[isa]") {
    for (int op = 0; op < kOpcodeCount; ++op)
        CHECK(opcode_info(Opcode(op)).args.size() <= kMaxOperands);
}

TEST_CASE("kernel text: token without KEY=VALUE", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=" + A + " 5", 4, 31,
                  "found '5', expected KEY=VALUE");
}

TEST_CASE("kernel text: missing required operand", "[isa]") {
    require_error(std::string(kHeader) + "activation dst=" + A + " data=" + A, 4, 1,
                  "missing required operand 'op' of activation");
}

TEST_CASE("kernel text: access pattern with an unclosed partition range", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=sbuf[0:129 value=1", 4, 12,
                  "expected ']' closing the partition range");
}

TEST_CASE("kernel text: access pattern with END not above START", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=sbuf[4:4]@0.f32[1] value=1", 4, 12,
                  "END > START");
}

TEST_CASE("kernel text: access pattern without ':' in the partition range", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=sbuf[0]@0.f32[1] value=1", 4, 12,
                  "expected ':' between START and END");
}

TEST_CASE("kernel text: on-chip access pattern without a dtype", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=sbuf[0:1]@0[1] value=1", 4, 12, "'.DTYPE'");
}

TEST_CASE("kernel text: unknown tensor in an access pattern", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=foo[0:1]@0.f32[1] value=1", 4, 12,
                  "unknown tensor 'foo', expected sbuf, psum or a declared tensor");
}

TEST_CASE("kernel text: unknown dtype in an access pattern", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=sbuf[0:1]@0.f33[1] value=1", 4, 12,
                  "found 'f33' in 'sbuf[0:1]@0.f33[1]', expected a data type: f32");
}

TEST_CASE("kernel text: bad integer", "[isa]") {
    require_error(
        std::string(kHeader) + "tensor_reduce dst=" + A + " op=add data=" + A + " axis=one", 4, 74,
        "found 'one', expected the value as a decimal or 0x hex integer");
}

TEST_CASE("kernel text: integer overflow is an error", "[isa]") {
    require_error(std::string(kHeader) + "tensor_reduce dst=" + A + " op=add data=" + A +
                      " axis=99999999999999999999",
                  4, 74, "(out of range), expected the value in [-9223372036854775808");
    require_error(std::string(kHeader) + "memset dst=sbuf[0:1]@-4.f32[1] value=1", 4, 12,
                  "found '-4' (out of range)");
    require_error(std::string(kHeader) + "memset dst=sbuf[0:1]@0.f32{[2147483648,2]} value=1", 4,
                  12, "a STEP in [-2147483648, 2147483647]");
}

TEST_CASE("kernel text: bad fp32 immediate", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=" + A + " value=1.5x", 4, 37,
                  "expected an fp32 number");
    require_error(std::string(kHeader) + "memset dst=" + A + " value=1e39", 4, 37,
                  "(out of range)");
    require_error(std::string(kHeader) + "memset dst=" + A + " value=-nan", 4, 37,
                  "expected an fp32 number");
}

TEST_CASE("kernel text: bad boolean", "[isa]") {
    require_error(std::string(kHeader) + "tensor_reduce dst=" + A + " op=add data=" + A +
                      " axis=1 negate=yes",
                  4, 83, "found 'yes', expected true or false");
}

TEST_CASE("kernel text: bad enum value", "[isa]") {
    require_error(
        std::string(kHeader) + "tensor_reduce dst=" + A + " op=maxx data=" + A + " axis=1", 4, 41,
        "found 'maxx', expected an ALU operator: add");
    require_error(std::string(kHeader) + "activation dst=" + A + " op=gelu2 data=" + A, 4, 38,
                  "expected an activation function: copy");
}

TEST_CASE("kernel text: bad pattern", "[isa]") {
    require_error(std::string(kHeader) + "iota dst=" + A + " pattern=[[1,512]", 4, 37,
                  "',' or ']'");
    require_error(std::string(kHeader) + "iota dst=" + A + " pattern=[]", 4, 37,
                  "1 to 4 [STEP,NUM] pairs");
}

TEST_CASE("kernel text: too many free dimensions", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=sbuf[0:1]@0.f32[1,1,1,1,1] value=0", 4, 12,
                  "at most 4 free dimensions");
}

TEST_CASE("kernel text: bare tensor name with more than five dimensions", "[isa]") {
    require_error(
        std::string(kHeader) + "tensor big [1,1,1,1,1,2] f32 input\nmemset dst=big value=0", 5, 12,
        "at most 5 dimensions");
}

TEST_CASE("kernel text: wait syntax", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=" + A + " value=1 wait=s1>3", 4, 44, "sN>=V");
}

TEST_CASE("kernel text: inc syntax", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=" + A + " value=1 inc=1", 4, 43, "sN or sN+K");
}

TEST_CASE("kernel text: bad rounding", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=" + A + " value=1 round=up", 4, 45,
                  "found 'up', expected a rounding: rne, sr");
}

TEST_CASE("kernel text: missing kernel line", "[isa]") {
    require_error("target v2\n", 1, 1, "missing kernel line");
    require_error("# nothing\n", 2, 1, "missing kernel and target lines: found end of file");
}

TEST_CASE("kernel text: duplicate kernel line", "[isa]") {
    require_error("kernel a\nkernel b\ntarget v2\n", 2, 1, "duplicate kernel line");
}

TEST_CASE("kernel text: extra words after the kernel name", "[isa]") {
    require_error("kernel a b\ntarget v2\n", 1, 10, "found 'b', expected end of line");
}

TEST_CASE("kernel text: missing target line", "[isa]") {
    require_error("kernel k\ntensor x [4] f32 input\n", 2, 1, "missing target line");
    require_error("kernel k\n", 2, 1, "missing target line: found end of file");
}

TEST_CASE("kernel text: bad target", "[isa]") {
    require_error("kernel k\ntarget v4\n", 2, 8,
                  "found 'v4', expected a NeuronCore generation: v1, v2, v3");
}

TEST_CASE("kernel text: duplicate tensor", "[isa]") {
    require_error(std::string(kHeader) + "tensor x [4] f32 output\n", 4, 8, "duplicate tensor 'x'");
}

TEST_CASE("kernel text: tensor named sbuf or psum", "[isa]") {
    require_error(std::string(kHeader) + "tensor sbuf [4] f32 input\n", 4, 8, "reserved");
    require_error(std::string(kHeader) + "tensor psum [4] f32 input\n", 4, 8, "reserved");
}

TEST_CASE("kernel text: tensor with a zero or no dimension", "[isa]") {
    require_error(std::string(kHeader) + "tensor z [4, 0] f32 input\n", 4, 10, "dimensions > 0");
    require_error(std::string(kHeader) + "tensor z [] f32 input\n", 4, 10,
                  "at least one dimension");
    require_error(std::string(kHeader) + "tensor z f32 input\n", 4, 1, "found end of line");
}

TEST_CASE("kernel text: tensor with an unknown role", "[isa]") {
    require_error(std::string(kHeader) + "tensor z [4] f32 inputt\n", 4, 18,
                  "expected a role: input, output");
}

TEST_CASE("kernel text: header line after the first instruction", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=" + A + " value=1\ntensor z [4] f32 input\n",
                  5, 1, "after the first instruction");
}

TEST_CASE("kernel text: instruction before the target line", "[isa]") {
    require_error("kernel k\nmemset dst=" + A + " value=1\n", 2, 1,
                  "missing target line: found 'memset'");
}

TEST_CASE("kernel text: mixing sequential instructions and stream blocks", "[isa]") {
    require_error(std::string(kHeader) + "memset dst=" + A + " value=1\nstream vector\n", 5, 1,
                  "not a mix");
}

TEST_CASE("kernel text: unknown stream engine", "[isa]") {
    require_error(std::string(kHeader) + "stream vectr\n", 4, 8,
                  "found 'vectr', expected an engine: tensor");
}

TEST_CASE("kernel text: engine the opcode cannot run on", "[isa]") {
    require_error(std::string(kHeader) + "tensor_reduce engine=scalar dst=" + A +
                      " op=add data=" + A + " axis=1",
                  4, 22, "cannot run tensor_reduce, expected one of: vector");
    require_error(std::string(kHeader) + "stream scalar\ntensor_reduce dst=" + A +
                      " op=add data=" + A + " axis=1",
                  5, 1, "expected an opcode that runs on scalar (tensor_reduce runs on: vector)");
}

TEST_CASE("kernel text: engine= contradicting the stream", "[isa]") {
    require_error(
        std::string(kHeader) + "stream vector\nmemset engine=gpsimd dst=" + A + " value=1", 5, 15,
        "contradicts 'stream vector'");
}

TEST_CASE("kernel text: every broken line is reported", "[isa]") {
    try {
        parse_kernel(std::string(kHeader) + "foo\nmemset dst=" + A + "\nbar\n", "bad");
        FAIL("parsed without error");
    } catch (const KernelError& e) {
        REQUIRE(e.diagnostics().size() == 3);
        CHECK(e.diagnostics()[0].loc.line == 4);
        CHECK(e.diagnostics()[1].loc.line == 5);
        CHECK(e.diagnostics()[2].loc.line == 6);
        CHECK(std::string(e.what()).find("bad:5:1: error: missing required operand 'value'") !=
              std::string::npos);
    }
}

TEST_CASE("kernel text: error reporting stops after 100 diagnostics", "[isa]") {
    std::string text = kHeader;
    for (int i = 0; i < 1000; ++i) text += "foo\n";
    try {
        parse_kernel(text, "bad");
        FAIL("parsed without error");
    } catch (const KernelError& e) {
        REQUIRE(e.diagnostics().size() == 101);
        CHECK(e.diagnostics().back().loc.line == 103);
        CHECK(e.diagnostics().back().message == "too many errors, stopping after 100");
    }
}

TEST_CASE("kernel text: unreadable file", "[isa]") {
    const std::string path = "/nonexistent-nsim-dir/k.kernel";
    try {
        parse_kernel_file(path);
        FAIL("read a file that does not exist");
    } catch (const KernelError& e) {
        CHECK(e.file() == path);
        REQUIRE(e.diagnostics().size() == 1);
        CHECK(e.diagnostics()[0].loc.line == 0);
        CHECK(e.diagnostics()[0].message.find("cannot read file: ") == 0);
    }
    CHECK_THROWS_AS(parse_kernel_file("/"), KernelError);
}

// ---- robustness ---------------------------------------------------------------------------------

TEST_CASE("kernel text: garbage input either parses or throws KernelError", "[isa]") {
    const std::vector<std::string> fragments = {
        "kernel k\n", "target v2\n", "tensor x [128,4,8] f32 input\n", "stream vector\n",
        "stream sync\n", "memset dst=sbuf[0:1]@0.f32[1] value=1\n",
        "tensor_copy dst=sbuf[0:128]@0.f32{[-1,8],[16,4]} src=x wait=s0>=1 inc=s3+2 round=sr\n",
        "activation dst=sbuf[0:128]@0.f32[1] op=exp data=x[0:128]@0.f32[32] scale=-inf bias=nan\n",
        "iota dst=sbuf[0:1]@0.i32[1] pattern=[[1,512],[0,4]] offset=0x10\n",
        "custom_op name=op dst=sbuf[0:1]@0.f32[] imm0=1e-45\n", "# comment\n",
        // pieces of lines from here on
        "[", "]", "{", "}", ":", "=", "@", ".", ",", "#", "\n", " ", "\t", "\r",
        std::string(1, '\0'), "\xff\xfe", "99999999999999999999", "-", "0x", "inf", "sbuf", "x",
        "s1", ">=", "+", "1e39"};
    const size_t kWholeLines = 11;
    std::mt19937 rng(12345);
    auto pick = [&](size_t n) {
        return size_t(std::uniform_int_distribution<size_t>(0, n - 1)(rng));
    };
    std::vector<std::string> inputs = {std::string(1 << 20, '['), std::string(1 << 16, '\0'),
                                       "kernel k\ntarget v2\nmemset dst=sbuf[0:1]@0.f32[" +
                                           std::string(100000, '1') + "] value=1\n"};
    for (int n = 0; n < 3000; ++n) {
        std::string s;
        if (n % 3 == 0) {  // random bytes
            for (size_t k = pick(200); k-- > 0;) s += char(pick(256));
        } else {  // a valid header and fragments of lines, every other one with mutated bytes
            s = std::string(kHeader);
            const bool mutate = n % 3 == 2;
            for (size_t k = pick(8); k-- > 0;)
                s += fragments[pick(mutate ? fragments.size() : kWholeLines)];
            for (size_t k = mutate ? pick(6) : 0; k-- > 0 && !s.empty();) {
                const size_t at = pick(s.size());
                switch (pick(3)) {
                    case 0:
                        s.erase(at, 1 + pick(4));
                        break;
                    case 1:
                        s.insert(at, fragments[pick(fragments.size())]);
                        break;
                    default:
                        s[at] = char(pick(256));
                        break;
                }
            }
        }
        inputs.push_back(std::move(s));
    }
    size_t parsed = 0;
    for (const auto& input : inputs) {
        try {
            const Program p = parse_kernel(input, "fuzz");
            ++parsed;
            // Whatever parses prints to text that reads back to the same text.
            const std::string printed = print_kernel(p);
            INFO(input);
            REQUIRE(print_kernel(parse_kernel(printed, "printed")) == printed);
        } catch (const KernelError&) {}
    }
    CHECK(parsed > 0);
}
