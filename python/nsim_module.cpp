// The `nsim._nsim` extension: the libraries' entry points for Python (chips, kernel text, the
// verifier, runs with numpy arrays in and out). The Python package (python/nsim) wraps it.
#include <cstring>

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "isa/diagnostic.h"
#include "isa/dtype.h"
#include "isa/kernel_text.h"
#include "isa/verifier.h"
#include "runtime/kernel_run.h"
#include "sim/config/chip_config.h"
#include "sim/config/config_files.h"
#include "sim/config/instance_config.h"

namespace py = pybind11;
using namespace nsim;

namespace {

// Exception classes: nsim.Error and one subclass per ErrorKind (isa/error.h).
struct Exceptions {
    py::object base, usage, input, config, kernel, simulation;
    py::object of(ErrorKind k) const {
        switch (k) {
            case ErrorKind::usage:
                return usage;
            case ErrorKind::input:
                return input;
            case ErrorKind::config:
                return config;
            case ErrorKind::kernel:
                return kernel;
            case ErrorKind::simulation:
                return simulation;
        }
        return base;
    }
};

Exceptions* g_exceptions = nullptr;  // set once at import; the module owns the classes

// A kernel error carries its diagnostics as (file, line, column, message) tuples.
void raise_kernel_error(const isa::KernelError& e) {
    py::list diagnostics;
    for (const auto& d : e.diagnostics())
        diagnostics.append(py::make_tuple(e.file(), d.loc.line, d.loc.column, d.message));
    py::object err = g_exceptions->kernel(e.what());
    err.attr("diagnostics") = diagnostics;
    PyErr_SetObject(g_exceptions->kernel.ptr(), err.ptr());
}

sim::ChipConfig load_chip(const std::string& name, const std::map<std::string, std::string>& sets) {
    sim::ChipConfig chip = sim::load_chip(name);
    for (const auto& [path, value] : sets) sim::apply_override(chip, path + "=" + value);
    return chip;
}

bool native_numpy(isa::DType t) {
    return t != isa::DType::bfloat16 && t != isa::DType::tfloat32 && t != isa::DType::float8_e4m3 &&
           t != isa::DType::float8_e5m2;
}

py::dtype numpy_dtype(isa::DType t) {
    switch (t) {
        case isa::DType::float16:
            return py::dtype("float16");
        case isa::DType::int8:
            return py::dtype("int8");
        case isa::DType::uint8:
            return py::dtype("uint8");
        case isa::DType::int16:
            return py::dtype("int16");
        case isa::DType::uint16:
            return py::dtype("uint16");
        case isa::DType::int32:
            return py::dtype("int32");
        case isa::DType::uint32:
            return py::dtype("uint32");
        case isa::DType::bool_:
            return py::dtype("bool");
        default:
            return py::dtype("float32");  // float32, and the types numpy lacks, as fp32 values
    }
}

// A tensor's bytes from a numpy array: native types by value (cast like numpy does), bf16, tf32
// and fp8 from float values rounded to nearest even.
std::vector<uint8_t> tensor_bytes(const isa::TensorDecl& t, const py::array& given,
                                  const std::string& file) {
    py::array a = py::array::ensure(given, py::array::c_style);
    std::vector<uint64_t> shape(a.shape(), a.shape() + a.ndim());
    if (shape != t.shape)
        throw InputError(fmt::format("{}: input '{}': shape [{}] given, expected [{}]", file,
                                     t.name, fmt::join(shape, ", "), fmt::join(t.shape, ", ")));
    std::vector<uint8_t> bytes(t.size_bytes());
    if (native_numpy(t.dtype)) {
        py::array typed = a.attr("astype")(numpy_dtype(t.dtype), "C");
        std::memcpy(bytes.data(), typed.data(), bytes.size());
        return bytes;
    }
    auto values = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(a);
    const unsigned size = isa::dtype_size(t.dtype);
    const float* v = values.data();
    for (size_t i = 0; i < size_t(values.size()); ++i) {
        const uint32_t bits = isa::encode(t.dtype, v[i]);
        std::memcpy(bytes.data() + i * size, &bits, size);  // little-endian: the low bytes
    }
    return bytes;
}

py::array tensor_array(const isa::TensorDecl& t, const std::vector<uint8_t>& bytes) {
    std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
    py::array out(numpy_dtype(t.dtype), shape);
    if (native_numpy(t.dtype)) {
        std::memcpy(out.mutable_data(), bytes.data(), bytes.size());
        return out;
    }
    const unsigned size = isa::dtype_size(t.dtype);
    float* v = static_cast<float*>(out.mutable_data());
    for (size_t i = 0; i < t.num_elements(); ++i) {
        uint32_t bits = 0;
        std::memcpy(&bits, bytes.data() + i * size, size);
        v[i] = isa::decode(t.dtype, bits);
    }
    return out;
}

// Every parameter with its value and source, as `nsim describe` prints them.
py::dict described(const std::vector<sim::DescribedParam>& described) {
    py::dict params;
    for (const auto& p : described)
        params[py::str(p.path)] =
            py::dict(py::arg("value") = p.value, py::arg("source") = p.source.text,
                     py::arg("assumption") = p.source.assumption,
                     py::arg("calibrated") = p.source.calibrated);
    return params;
}

py::dict describe_instance(const std::string& name,
                           const std::map<std::string, std::string>& sets) {
    sim::InstanceConfig inst = sim::load_instance(name);
    std::vector<std::string> assignments;
    for (const auto& [path, value] : sets) assignments.push_back(path + "=" + value);
    sim::apply_overrides(inst, assignments);
    return py::dict(py::arg("name") = inst.name, py::arg("chip") = inst.chip.name,
                    py::arg("chips") = inst.chips, py::arg("topology") = inst.topology,
                    py::arg("price_per_hour_usd") = inst.price_per_hour_usd,
                    py::arg("params") = described(sim::describe(inst)));
}

py::dict describe_chip(const std::string& name, const std::map<std::string, std::string>& sets) {
    const sim::ChipConfig chip = load_chip(name, sets);
    const py::dict params = described(sim::describe(chip));
    const isa::TargetLimits& l = chip.limits;
    py::dict limits(py::arg("partitions") = l.partitions,
                    py::arg("sbuf_partition_bytes") = l.sbuf_partition_bytes,
                    py::arg("psum_partition_bytes") = l.psum_partition_bytes,
                    py::arg("psum_banks") = l.psum_banks, py::arg("semaphores") = l.semaphores,
                    py::arg("dma_queues") = l.dma_queues);
    return py::dict(py::arg("name") = chip.name,
                    py::arg("generation") = std::string(isa::generation_name(chip.generation)),
                    py::arg("cores") = chip.cores, py::arg("limits") = limits,
                    py::arg("params") = params);
}

py::dict run(const std::vector<const isa::Program*>& programs, const std::string& file,
             const std::string& chip_name, const std::map<std::string, std::string>& sets,
             const py::dict& inputs, uint32_t cores, bool timing_only, bool trace, uint64_t seed,
             const std::string& races) {
    const sim::ChipConfig chip = load_chip(chip_name, sets);
    if (programs.empty()) throw UsageError("run: expected at least one kernel");
    const isa::Program& program = *programs[0];
    runtime::KernelRunRequest request;
    request.programs = programs;
    request.kernel_file = file;
    request.chip = &chip;
    request.cores = cores;
    for (const auto& [key, value] : inputs) {
        const std::string name = py::str(key);
        const isa::TensorDecl* t = program.find_tensor(name);
        if (!t)
            throw InputError(
                fmt::format("{}: input '{}': the kernel declares no such tensor", file, name));
        py::array array = py::array::ensure(value);
        if (!array)
            throw InputError(fmt::format("{}: input '{}': expected a numpy array", file, name));
        if (!timing_only) request.inputs[name] = tensor_bytes(*t, array, file);
    }
    request.options.timing_only = timing_only;
    request.options.trace = trace;
    request.options.seed = seed;
    if (races != "error" && races != "warn" && races != "off")
        throw UsageError(fmt::format("races '{}': expected error, warn or off", races));
    request.options.races = races == "off"    ? sim::RaceMode::off
                            : races == "warn" ? sim::RaceMode::warn
                                              : sim::RaceMode::error;
    runtime::KernelRunOutput out;
    {
        py::gil_scoped_release release;  // the simulation runs in a child process
        out = runtime::run_kernel_isolated(request);
    }
    py::list outputs;  // per core
    for (const auto& core : out.outputs) {
        py::dict arrays;
        for (const auto& [name, bytes] : core)
            arrays[py::str(name)] = tensor_array(*program.find_tensor(name), bytes);
        outputs.append(arrays);
    }
    return py::dict(py::arg("outputs") = outputs, py::arg("summary") = out.summary,
                    py::arg("report_json") = out.report_json,
                    py::arg("trace_json") = out.trace_json, py::arg("race_count") = out.race_count);
}

py::array_t<float> quantize(const py::array_t<float, py::array::c_style | py::array::forcecast>& a,
                            const std::string& dtype) {
    const auto t = isa::parse_dtype(dtype);
    if (!t) throw InputError(fmt::format("dtype '{}': expected an nsim dtype name", dtype));
    py::array_t<float> out(std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim()));
    for (py::ssize_t i = 0; i < a.size(); ++i)
        out.mutable_data()[i] = isa::quantize(*t, a.data()[i]);
    return out;
}

}  // namespace

// libsystemc references sc_main; the module drives SystemC itself (in the child of each run). It
// must be visible: pybind11 builds with hidden symbols.
extern "C" __attribute__((visibility("default"))) int sc_main(int, char**) { return 1; }

PYBIND11_MODULE(_nsim, m) {
    m.doc() = "nsim's libraries: chips, kernels, the verifier and the simulator";
    static Exceptions ex;
    ex.base = py::exception<Error>(m, "Error", PyExc_RuntimeError);
    ex.usage = py::exception<UsageError>(m, "UsageError", ex.base.ptr());
    ex.input = py::exception<InputError>(m, "InputError", ex.base.ptr());
    ex.config = py::exception<ConfigError>(m, "ConfigError", ex.base.ptr());
    ex.kernel = py::exception<isa::KernelError>(m, "KernelError", ex.base.ptr());
    ex.simulation = py::exception<SimError>(m, "SimError", ex.base.ptr());
    g_exceptions = &ex;
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const isa::KernelError& e) {
            raise_kernel_error(e);
        } catch (const Error& e) {
            PyErr_SetString(g_exceptions->of(e.kind()).ptr(), e.what());
        }
    });

    py::class_<isa::Program>(m, "Kernel", "A kernel program (isa::Program)")
        .def_readonly("name", &isa::Program::name)
        .def_property_readonly(
            "target",
            [](const isa::Program& p) { return std::string(isa::generation_name(p.target)); })
        .def_property_readonly("instruction_count",
                               [](const isa::Program& p) { return p.instructions.size(); })
        .def_property_readonly("tensors",
                               [](const isa::Program& p) {
                                   py::list out;
                                   for (const auto& t : p.tensors)
                                       out.append(py::make_tuple(
                                           t.name, t.shape, std::string(isa::dtype_name(t.dtype)),
                                           std::string(isa::tensor_role_name(t.role))));
                                   return out;
                               })
        .def_property_readonly("text", [](const isa::Program& p) { return isa::print_kernel(p); });

    m.def(
        "chips", [] { return sim::list_configs("chips"); }, "Names of the built-in chips");
    m.def("describe_chip", &describe_chip, py::arg("chip"), py::arg("sets"));
    m.def(
        "instances", [] { return sim::list_configs("instances"); },
        "Names of the built-in instances");
    m.def("describe_instance", &describe_instance, py::arg("instance"), py::arg("sets"));
    m.def(
        "parse_kernel",
        [](std::string_view text, const std::string& file) {
            return isa::parse_kernel(text, file);
        },
        py::arg("text"), py::arg("file"));
    m.def(
        "verify",
        [](const isa::Program& p, const std::string& file, const std::string& chip,
           const std::map<std::string, std::string>& sets) {
            if (auto d = isa::verify(p, load_chip(chip, sets).limits); !d.empty())
                throw isa::KernelError(file, d);
        },
        py::arg("kernel"), py::arg("file"), py::arg("chip"), py::arg("sets"));
    m.def("run", &run, py::arg("kernels"), py::arg("file"), py::arg("chip"), py::arg("sets"),
          py::arg("inputs"), py::arg("cores"), py::arg("timing_only"), py::arg("trace"),
          py::arg("seed"), py::arg("races"));
    m.def("quantize", &quantize, py::arg("values"), py::arg("dtype"),
          "fp32 values rounded to the nearest value of `dtype`");
}
