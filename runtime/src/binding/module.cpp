// opkit._core: the Python face of the software AI Core. It stays thin: the runtime decides,
// Python only passes buffers and names (STYLE.md: numbers are computed once, in one place).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>

#include "../acl_state.h"
#include "../sim.h"
#include "opkit/host/launch.h"

namespace py = pybind11;
using opkit::host::Plan;

void BindDirectCall(py::module_& m);  // direct_call.cpp

namespace {

const std::map<std::string, ge::DataType>& DTypes() {
    static const std::map<std::string, ge::DataType> m = {
        {"float16", ge::DT_FLOAT16}, {"float32", ge::DT_FLOAT}, {"bfloat16", ge::DT_BF16},
        {"float64", ge::DT_DOUBLE},  {"int8", ge::DT_INT8},     {"int16", ge::DT_INT16},
        {"int32", ge::DT_INT32},     {"int64", ge::DT_INT64},   {"uint8", ge::DT_UINT8},
        {"uint16", ge::DT_UINT16},   {"uint32", ge::DT_UINT32}, {"uint64", ge::DT_UINT64},
        {"bool", ge::DT_BOOL}};
    return m;
}

ge::DataType ToDType(const std::string& name) {
    auto it = DTypes().find(name);
    if (it == DTypes().end()) throw py::type_error("dtype '" + name + "' has no Ascend equivalent");
    return it->second;
}

const opkit::rt::SocInfo* ToSoc(const py::object& soc) {
    if (soc.is_none()) {
        try {
            return &opkit::rt::DefaultSoc();
        } catch (const opkit::KernelError& e) {  // a bad $OPKIT_SOC is a value error, like a bad name
            throw py::value_error(e.what());
        }
    }
    std::string name = py::cast<std::string>(soc);
    const auto* s = opkit::rt::FindSoc(name);
    if (s == nullptr)
        throw py::value_error("'" + name + "' is not a known SoC (known: " + opkit::rt::KnownSocNames() + ")");
    return s;
}

gert::AttrValue ToAttr(const py::handle& v) {
    gert::AttrValue a;
    if (py::isinstance<py::bool_>(v)) { a.kind = gert::AttrValue::BOOL; a.b = v.cast<bool>(); }
    else if (py::isinstance<py::int_>(v)) { a.kind = gert::AttrValue::INT; a.i = v.cast<int64_t>(); }
    else if (py::isinstance<py::float_>(v)) { a.kind = gert::AttrValue::FLOAT; a.f = v.cast<float>(); }
    else if (py::isinstance<py::str>(v)) { a.kind = gert::AttrValue::STRING; a.s = v.cast<std::string>(); }
    else if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
        auto seq = v.cast<py::sequence>();
        bool allInt = true, allBool = true;
        for (auto x : seq) {
            allBool = allBool && py::isinstance<py::bool_>(x);
            allInt = allInt && py::isinstance<py::int_>(x) && !py::isinstance<py::bool_>(x);
        }
        if (allBool && seq.size() > 0) { a.kind = gert::AttrValue::LIST_BOOL; a.listBool = gert::TypedContinuousVector<bool>(v.cast<std::vector<bool>>()); }
        else if (allInt) { a.kind = gert::AttrValue::LIST_INT; a.listInt = gert::TypedContinuousVector<int64_t>(v.cast<std::vector<int64_t>>()); }
        else { a.kind = gert::AttrValue::LIST_FLOAT; a.listFloat = gert::TypedContinuousVector<float>(v.cast<std::vector<float>>()); }
    } else {
        throw py::type_error("attr values must be bool, int, float, str or a list of those");
    }
    return a;
}

using InputDesc = std::vector<std::pair<std::vector<int64_t>, std::string>>;

// (shape, dtype name) per input; the dtype "absent" marks an optional input passed as None.
std::vector<opkit::host::TensorArg> ToInputs(const InputDesc& inputs) {
    std::vector<opkit::host::TensorArg> ins;
    for (const auto& [shape, dtype] : inputs) {
        opkit::host::TensorArg t;
        t.shape = shape;
        t.present = dtype != "absent";
        t.dtype = t.present ? ToDType(dtype) : ge::DT_UNDEFINED;
        ins.push_back(t);
    }
    return ins;
}

std::vector<opkit::host::AttrArg> ToAttrs(const py::dict& attrs) {
    std::vector<opkit::host::AttrArg> as;
    for (auto kv : attrs) as.push_back({py::cast<std::string>(kv.first), ToAttr(kv.second)});
    return as;
}

py::dict SocDict(const opkit::rt::SocInfo& s) {
    using opkit::rt::Mem;
    py::dict d;
    d["name"] = s.name;
    d["short_name"] = s.shortName;
    d["arch"] = s.arch;
    d["cce_aicore"] = s.cceAicore;
    d["aic_cores"] = s.aicCores;
    d["aiv_cores"] = s.aivCores;
    d["clock_ghz"] = s.clockGhz;
    py::dict mem;
    for (int m = 0; m < static_cast<int>(Mem::COUNT); ++m) mem[opkit::rt::MemName(static_cast<Mem>(m))] = s.memBytes[m];
    d["memory"] = mem;
    d["has_data_copy_pad"] = s.hasDataCopyPad;
    d["has_bf16"] = s.hasBf16;
    d["split_arch"] = s.splitArch;
    d["float_saturation"] = s.floatSaturation;
    return d;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "opkit's software AI Core (C++), used by opkit.ops and opkit.load";

    static py::exception<opkit::KernelError> kernelError(m, "_KernelError", PyExc_RuntimeError);
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const opkit::KernelError& e) {
            py::object cls = py::module_::import("opkit.errors").attr("KernelError");
            PyErr_SetObject(cls.ptr(), py::str(e.what()).ptr());
        }
    });

    py::class_<Plan>(m, "Plan")
        .def_readonly("op_type", &Plan::opType)
        .def_readonly("column", &Plan::column)
        .def_readonly("block_dim", &Plan::blockDim)
        .def_readonly("tiling_key", &Plan::tilingKey)
        .def_readonly("workspace_bytes", &Plan::workspaceBytes)
        .def_readonly("out_shapes", &Plan::outShapes)
        .def_property_readonly("tiling", [](const Plan& p) {
            return py::bytes(reinterpret_cast<const char*>(p.tiling.data()), p.tiling.size());
        })
        .def_property_readonly("out_dtypes", [](const Plan& p) {
            std::vector<std::string> names;
            for (auto dt : p.outDtypes) names.push_back(opkit::host::DataTypeName(dt));
            return names;
        });

    m.def("load_host_library", &opkit::host::LoadHostLibrary, py::arg("path"));
    m.def("op_types", &ops::RegisteredOpTypes);
    m.def("op_defs", [](const std::string& scope) {
        // Each OpDef as msopgen-spec data, so a build can follow what op_host registers.
        py::list out;
        auto formatName = [](ge::Format f) -> const char* {
            switch (f) {
                case ge::FORMAT_NCHW: return "NCHW";
                case ge::FORMAT_NHWC: return "NHWC";
                case ge::FORMAT_NC1HWC0: return "NC1HWC0";
                case ge::FORMAT_FRACTAL_Z: return "FRACTAL_Z";
                case ge::FORMAT_FRACTAL_NZ: return "FRACTAL_NZ";
                case ge::FORMAT_HWCN: return "HWCN";
                case ge::FORMAT_NDHWC: return "NDHWC";
                case ge::FORMAT_NCDHW: return "NCDHW";
                case ge::FORMAT_CHWN: return "CHWN";
                default: return "ND";
            }
        };
        auto params = [&](const std::vector<ops::OpParamDef>& ps) {
            py::list l;
            for (const auto& p : ps) {
                py::dict d;
                d["name"] = p.Name();
                d["param_type"] = p.GetParamType() == ops::OPTIONAL ? "optional"
                                  : p.GetParamType() == ops::DYNAMIC ? "dynamic" : "required";
                py::list types, formats;
                for (auto dt : p.DataTypes()) types.append(opkit::host::DataTypeName(dt));
                for (auto f : p.Formats()) formats.append(formatName(f));
                if (formats.empty()) formats.append("ND");
                d["type"] = types;
                d["format"] = formats;
                l.append(d);
            }
            return l;
        };
        for (const ops::OpDef* def : ops::OpDefsIn(scope)) {
            py::dict op;
            op["op"] = def->Type();
            op["input_desc"] = params(def->Inputs());
            op["output_desc"] = params(def->Outputs());
            py::list attrs;
            for (const auto& a : def->Attrs()) {
                py::dict d;
                d["name"] = a.Name();
                d["param_type"] = a.Required() ? "required" : "optional";
                const auto& v = a.Default();
                switch (a.GetKind()) {
                    case gert::AttrValue::BOOL: d["type"] = "bool"; if (a.HasDefault()) d["default_value"] = v.b; break;
                    case gert::AttrValue::INT: d["type"] = "int"; if (a.HasDefault()) d["default_value"] = v.i; break;
                    case gert::AttrValue::FLOAT: d["type"] = "float"; if (a.HasDefault()) d["default_value"] = v.f; break;
                    case gert::AttrValue::STRING: d["type"] = "string"; if (a.HasDefault()) d["default_value"] = v.s; break;
                    case gert::AttrValue::LIST_INT: d["type"] = "list_int";
                        if (a.HasDefault()) d["default_value"] = std::vector<int64_t>(v.listInt.GetData(), v.listInt.GetData() + v.listInt.GetSize());
                        break;
                    case gert::AttrValue::LIST_FLOAT: d["type"] = "list_float";
                        if (a.HasDefault()) d["default_value"] = std::vector<float>(v.listFloat.GetData(), v.listFloat.GetData() + v.listFloat.GetSize());
                        break;
                    case gert::AttrValue::LIST_BOOL: d["type"] = "list_bool";
                        if (a.HasDefault()) d["default_value"] = std::vector<bool>(v.listBool.GetData(), v.listBool.GetData() + v.listBool.GetSize());
                        break;
                    default: d["type"] = "none"; break;
                }
                attrs.append(d);
            }
            op["attr"] = attrs;
            out.append(op);
        }
        return out;
    }, py::arg("scope"));
    m.def("snake_case", &opkit::host::SnakeCase);

    m.def("prepare",
          [](const std::string& opType, const InputDesc& inputs,
             const py::dict& attrs, const py::object& soc, const std::string& scope) {
              auto ins = ToInputs(inputs);
              auto as = ToAttrs(attrs);
              return opkit::host::Prepare(opType, ins, as, ToSoc(soc), scope);
          },
          py::arg("op_type"), py::arg("inputs"), py::arg("attrs"), py::arg("soc") = py::none(), py::arg("scope") = "",
          "Phase 1: pick the dtype column, infer output shapes, run the op's TilingFunc.");

    m.def("infer",
          [](const std::string& opType, const InputDesc& inputs,
             const py::dict& attrs, const py::object& soc, const std::string& scope) {
              auto ins = ToInputs(inputs);
              auto as = ToAttrs(attrs);
              return opkit::host::Infer(opType, ins, as, ToSoc(soc), scope);
          },
          py::arg("op_type"), py::arg("inputs"), py::arg("attrs"), py::arg("soc") = py::none(), py::arg("scope") = "",
          "Phase 1 up to the tiling: the dtype column and the outputs' shapes and dtypes.");
    m.def("scope_of", &opkit::host::ScopeOfPath, py::arg("library_path"));
    m.def("set_thread_soc", [](const py::object& soc) {
        opkit::rt::SetThreadSoc(soc.is_none() ? nullptr : ToSoc(soc));
    }, py::arg("soc"), "The calling thread's device SoC for aclnn calls (None: back to the default).");
    m.def("set_acl_quiet", &opkit::acl::SetQuiet, py::arg("quiet"),
          "Stop acl errors going to stderr (Python raises them from aclGetRecentErrMsg instead).");
    m.def("set_simulator", &opkit::sim::SetEnabled, py::arg("on"),
          "npu_simulator mode for this thread's launches: 1 on, 0 off, -1 follow the process default.");
    m.def("thread_simulator", &opkit::sim::ThreadEnabled, "This thread's npu_simulator setting (-1: none).");
    m.def("set_simulator_default", &opkit::sim::SetDefaultEnabled, py::arg("on"),
          "npu_simulator mode for threads without a setting of their own: 1 on, 0 off, -1 follow $OPKIT_MODE.");
    m.def("simulator_enabled", &opkit::sim::Enabled);
    m.def("set_tracing", &opkit::sim::SetTracing, py::arg("on"), "Keep each instruction of this thread's simulated launches.");
    m.def("last_simulation", []() -> py::object {
        const opkit::sim::Summary* s = opkit::sim::Last();
        if (s == nullptr) return py::none();
        py::dict d;
        d["kernel"] = s->kernel;
        d["soc"] = s->soc;
        d["model"] = s->model;
        d["block_dim"] = s->blockDim;
        d["cycles"] = s->cycles;
        d["microseconds"] = s->microseconds;
        py::dict busy, util;
        for (int p = 0; p < opkit::sim::PIPE_COUNT; ++p) {
            busy[opkit::sim::PipeName(opkit::sim::Pipe(p))] = s->pipeBusy[p];
            util[opkit::sim::PipeName(opkit::sim::Pipe(p))] = s->pipeUtilisation[p];
        }
        d["pipe_busy_cycles"] = busy;
        d["pipe_utilisation"] = util;
        d["gm_bytes"] = s->gmBytes;
        d["hbm_bytes"] = s->hbmBytes;
        d["cube_peak_share"] = s->cubePeakShare;
        d["achieved_bytes_per_second"] = s->achievedBytesPerSecond;
        d["peak_bytes_per_second"] = s->peakBytesPerSecond;
        d["bound"] = s->bound;
        py::list findings;
        for (const auto& f : s->findings) {
            py::dict fd;
            fd["kind"] = f.kind;
            fd["core"] = f.core;
            fd["site"] = f.site;
            fd["message"] = f.message;
            findings.append(fd);
        }
        d["findings"] = findings;
        py::list events;
        for (const auto& e : s->events)
            events.append(py::make_tuple(e.core, opkit::sim::PipeName(opkit::sim::Pipe(e.pipe)), e.name, e.start, e.end, e.bytes));
        d["events"] = events;
        d["text"] = opkit::sim::Format(*s);
        return d;
    }, "The npu_simulator summary of this thread's last simulated launch (None if none).");
    BindDirectCall(m);
    m.def("soc", [](const py::object& name) { return SocDict(*ToSoc(name)); }, py::arg("name") = py::none());
    m.def("known_socs", []() { return opkit::rt::KnownSocNames(); });
}
