// opkit._core.DirectOp: an op call from Python with no Python in its path (Note [Direct calls]).
//
// Note [Direct calls]: opkit.library's Op calls an op through its project's aclnn library with
// ctypes, the path a C++ caller takes. That costs about 300 µs of Python per call, against 1-6 µs for
// numpy at 1,000 elements, and training loops and MindSpore call small ops all the time. A DirectOp
// does the same call in C++: it binds the arguments, picks the dtype column, runs InferShape,
// InferDataType and the TilingFunc (host::Prepare, as aclnn<Op>GetWorkspaceSize does), allocates the
// outputs and launches the kernel (host::Execute, as aclnn<Op> does), with the GM bounds the aclnn
// path gives (Note [aclrtMalloc padding]: each tensor may be touched up to its padded size).
//
// It takes only the plain case and returns None for every other one, before any user code ran, so
// the caller takes the ctypes path, which also owns every error message: a non-array or
// non-contiguous input, a dtype the spec does not list, a keyword that is not a scalar attr, a ref
// output whose array cannot be lent (the ctypes path copies it back), npu_simulator mode (its
// findings and records are the Python path's), and (checked by the caller) isolation, a CANN device,
// or an op with its own Python check. One case is found only after InferDataType ran: an output
// dtype numpy has no type for (the ctypes path then fails on it). An input that cannot be lent is
// copied, as aclrtMemcpy would. Errors raised from here are the ctypes path's own: TilingError for
// a failing InferShape or TilingFunc, KernelError for the kernel, with the same text.
#include <malloc.h>
#include <pybind11/pybind11.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>
#include <new>

#include "../acl_state.h"
#include "../sim.h"
#include "opkit/host/launch.h"

namespace py = pybind11;

namespace {

struct InputSpec {
    bool optional = false;
    std::vector<std::pair<py::object, ge::DataType>> dtypes;  // the accepted numpy dtypes
};

struct AttrSpec {
    std::string name, pyName, kind;  // kind: int, float, bool, string
    bool required = false;
    py::object fallback;  // the default when not required
};

// The call's device blocks (an input copied because it has no room for the padding, the workspace):
// `bytes` padded as Note [aclrtMalloc padding] says, from the block cache (Note [Output memory]),
// given back when the call ends.
struct Scratch {
    std::vector<std::pair<void*, size_t>> blocks;
    ~Scratch() {
        for (auto [p, capacity] : blocks) opkit::acl::GiveHostBlock(p, capacity);
    }
    void* Alloc(size_t bytes) {
        size_t capacity = 0;
        void* p = opkit::acl::TakeHostBlock(opkit::acl::PaddedDeviceBytes(bytes), &capacity);
        if (p == nullptr) throw opkit::KernelError("out of memory for " + std::to_string(bytes) + " bytes of device memory");
        blocks.emplace_back(p, capacity);
        return p;
    }
};

constexpr const char* kGmCapsule = "opkit.gm";  // the base of an array in opkit's output memory

struct GmBlock {
    uint8_t* p;
    size_t capacity;
};

// A block of at least `bytes` from Note [Output memory], in a capsule that gives it back to the cache
// when the last array using it is freed.
py::capsule GmCapsule(size_t bytes, GmBlock*& block) {
    size_t capacity = 0;
    void* p = opkit::acl::TakeHostBlock(bytes, &capacity);
    if (p == nullptr) throw std::bad_alloc();
    block = new GmBlock{static_cast<uint8_t*>(p), capacity};
    return py::capsule(block, kGmCapsule, [](PyObject* o) {
        auto* b = static_cast<GmBlock*>(PyCapsule_GetPointer(o, kGmCapsule));
        opkit::acl::GiveHostBlock(b->p, b->capacity);
        delete b;
    });
}

// Bytes usable from the start of `a` (Note [Lent host memory]) when its base is opkit's output
// memory, else 0.
int64_t GmRoom(const py::array& a) {
    PyObject* base = py::detail::array_proxy(a.ptr())->base;
    if (base == nullptr || !PyCapsule_CheckExact(base) || std::strcmp(PyCapsule_GetName(base), kGmCapsule) != 0) return 0;
    const auto* b = static_cast<const GmBlock*>(PyCapsule_GetPointer(base, kGmCapsule));
    const auto* data = static_cast<const uint8_t*>(a.data());
    return data >= b->p && data < b->p + b->capacity ? int64_t(b->p + b->capacity - data) : 0;
}

class DirectOp {
public:
    DirectOp(const std::string& root, const std::string& opType, const py::list& inputs, const py::list& attrs,
             const std::vector<int>& outputRefs, const py::dict& outDtypes, const py::object& handlerName)
        : opType_(opType), outputRefs_(outputRefs), handlerName_(handlerName) {
        scope_ = opkit::host::ScopeOfPath(root + "/op_impl/lib");
        kernelPrefix_ = root + "/op_impl/kernel/libopkit_kernel_" + opkit::host::SnakeCase(opType) + "_";
        for (auto item : inputs) {
            auto t = item.cast<py::tuple>();
            InputSpec in;
            in.optional = t[0].cast<bool>();
            for (auto d : t[1].cast<py::list>()) {
                auto pair = d.cast<py::tuple>();
                in.dtypes.emplace_back(py::reinterpret_borrow<py::object>(pair[0]),
                                       static_cast<ge::DataType>(pair[1].cast<int>()));
            }
            inputs_.push_back(std::move(in));
        }
        for (auto item : attrs) {
            auto t = item.cast<py::tuple>();
            AttrSpec a;
            a.name = t[0].cast<std::string>();
            a.pyName = t[1].cast<std::string>();
            a.kind = t[2].cast<std::string>();
            a.required = t[3].cast<bool>();
            a.fallback = py::reinterpret_borrow<py::object>(t[4]);
            attrs_.push_back(std::move(a));
        }
        for (auto kv : outDtypes) outDtypes_[static_cast<ge::DataType>(kv.first.cast<int>())] = py::reinterpret_borrow<py::object>(kv.second);
    }

    // The outputs (an array, or a tuple of them), or None: take the ctypes path.
    py::object Call(const py::tuple& args, const py::dict& kwargs) {
        if (opkit::sim::Enabled() || args.size() != inputs_.size()) return py::none();
        std::vector<opkit::host::TensorArg> ins(inputs_.size());
        std::vector<py::array> arrays(inputs_.size());
        std::vector<uint64_t> room(inputs_.size(), 0);
        for (size_t i = 0; i < inputs_.size(); ++i) {
            py::handle v = args[i];
            if (v.is_none()) {
                if (!inputs_[i].optional) return py::none();
                ins[i].present = false;
                continue;
            }
            if (!py::isinstance<py::array>(v)) return py::none();
            auto a = py::reinterpret_borrow<py::array>(v);
            if (!(a.flags() & py::array::c_style)) return py::none();
            py::dtype dt = a.dtype();
            bool known = false;
            for (const auto& [np, ge] : inputs_[i].dtypes) {
                if (dt.is(np) || PyObject_RichCompareBool(dt.ptr(), np.ptr(), Py_EQ) == 1) {
                    ins[i].dtype = ge;
                    known = true;
                    break;
                }
            }
            if (!known) return py::none();
            Room(a, room[i]);
            ins[i].data = a.mutable_data();
            ins[i].shape.assign(a.shape(), a.shape() + a.ndim());
            arrays[i] = a;
        }
        std::vector<opkit::host::AttrArg> attrArgs;
        size_t used = 0;
        for (const auto& a : attrs_) {
            py::handle v;
            if (kwargs.contains(a.pyName.c_str())) {
                v = kwargs[a.pyName.c_str()];
                ++used;
            } else if (a.required) {
                return py::none();
            } else {
                v = a.fallback;
            }
            gert::AttrValue value;
            if (!ToAttr(a.kind, v, value)) return py::none();
            attrArgs.push_back({a.name, std::move(value)});
        }
        if (used != kwargs.size()) return py::none();
        for (int ref : outputRefs_) {  // an input the kernel writes must be lent, not copied
            if (ref >= 0 && (size_t(ref) >= ins.size() || !ins[ref].present ||
                             room[ref] < opkit::acl::PaddedDeviceBytes(arrays[ref].nbytes())))
                return py::none();
        }
        return Run(ins, arrays, room, attrArgs);
    }

private:
    // Bytes from `a`'s start that are its own (Note [Lent host memory] in acl_memory.cpp: what
    // library.py's _lendable_bytes finds; 0: the input is copied).
    void Room(const py::array& a, uint64_t& bytes) const {
        if (a.nbytes() == 0) return;
        py::array o = a;
        for (py::object base = o.base(); py::isinstance<py::array>(base); base = o.base())
            o = py::reinterpret_borrow<py::array>(base);
        if (o.data() != a.data()) return;  // a view inside its buffer is copied (lent blocks may not overlap)
        if (int64_t room = GmRoom(o); room > 0) {
            bytes = uint64_t(room);
            return;
        }
        if (!(o.flags() & py::detail::npy_api::NPY_ARRAY_OWNDATA_) || handlerName_.is_none()) return;
        if (handlerName_(o).cast<std::string>() != "default_allocator") return;
        bytes = malloc_usable_size(const_cast<void*>(o.data()));
    }

    static bool ToAttr(const std::string& kind, py::handle v, gert::AttrValue& out) {
        const bool isBool = PyBool_Check(v.ptr());
        if (kind == "bool") {
            if (!isBool) return false;
            out.kind = gert::AttrValue::BOOL;
            out.b = v.ptr() == Py_True;
        } else if (kind == "int") {
            if (isBool || !PyLong_Check(v.ptr())) return false;
            out.kind = gert::AttrValue::INT;
            out.i = PyLong_AsLongLong(v.ptr());
            if (PyErr_Occurred()) {
                PyErr_Clear();
                return false;
            }
        } else if (kind == "float") {
            if (isBool || !(PyFloat_Check(v.ptr()) || PyLong_Check(v.ptr()))) return false;
            out.kind = gert::AttrValue::FLOAT;
            out.f = static_cast<float>(PyFloat_AsDouble(v.ptr()));
            if (PyErr_Occurred()) {
                PyErr_Clear();
                return false;
            }
        } else if (kind == "string") {
            if (!PyUnicode_Check(v.ptr())) return false;
            out.kind = gert::AttrValue::STRING;
            out.s = v.cast<std::string>();
        } else {
            return false;
        }
        return true;
    }

    py::object Run(std::vector<opkit::host::TensorArg>& ins, const std::vector<py::array>& arrays,
                   const std::vector<uint64_t>& room, const std::vector<opkit::host::AttrArg>& attrs) {
        opkit::host::Plan plan;
        bool inferred = false;
        std::string error;
        {
            py::gil_scoped_release nogil;
            try {
                plan = opkit::host::Prepare(opType_, ins, attrs, &opkit::rt::DefaultSoc(), scope_, nullptr, &inferred);
            } catch (const std::exception& e) {
                error = e.what();
            }
        }
        if (!error.empty()) {
            // the ctypes path's texts: InferShape's error as it is, the TilingFunc's as aclnn reports it
            py::object tilingError = py::module_::import("opkit.errors").attr("TilingError");
            std::string text = inferred ? "aclnn" + opType_ + "GetWorkspaceSize: " + error : error;
            PyErr_SetObject(tilingError.ptr(), py::str(text).ptr());
            throw py::error_already_set();
        }
        // Outputs: opkit's own memory with room for the device padding (library.py _gm_empty).
        const size_t nOut = plan.outShapes.size();
        py::tuple result(nOut == 1 ? 0 : nOut);
        py::object single;
        std::vector<void*> outPtrs(nOut);
        for (size_t k = 0; k < nOut; ++k) {
            const int ref = k < outputRefs_.size() ? outputRefs_[k] : -1;
            if (ref >= 0) {  // an input the kernel writes (lent: checked in Call)
                if (nOut == 1) single = arrays[ref];
                else result[k] = arrays[ref];
                outPtrs[k] = ins[ref].data;
                continue;
            }
            auto it = outDtypes_.find(plan.outDtypes[k]);
            if (it == outDtypes_.end()) return py::none();
            py::dtype dt = py::reinterpret_borrow<py::dtype>(it->second);
            const auto& shape = plan.outShapes[k];
            int64_t n = 1;
            for (int64_t d : shape) n *= d;
            const int64_t item = dt.itemsize();
            GmBlock* block = nullptr;
            py::capsule base = GmCapsule(size_t(n * item + kSlack), block);
            std::vector<py::ssize_t> strides(shape.size());
            int64_t step = item;
            for (size_t d = shape.size(); d-- > 0;) {
                strides[d] = step;
                step *= shape[d];
            }
            py::array out(dt, std::vector<py::ssize_t>(shape.begin(), shape.end()), strides, block->p, base);
            outPtrs[k] = block->p;
            if (nOut == 1) single = out;
            else result[k] = out;
        }
        bool empty = false;
        for (const auto& t : ins) {
            if (!t.present) continue;
            int64_t n = 1;
            for (int64_t d : t.shape) n *= d;
            empty = empty || n == 0;
        }
        if (!empty) {
            std::vector<size_t> sizes(arrays.size(), 0);
            for (size_t i = 0; i < arrays.size(); ++i)
                if (ins[i].present) sizes[i] = arrays[i].nbytes();
            std::string failed;
            {
                py::gil_scoped_release nogil;
                try {
                    Launch(plan, ins, sizes, room, outPtrs);
                } catch (const std::exception& e) {
                    failed = e.what();
                }
            }
            if (!failed.empty()) {
                py::object kernelError = py::module_::import("opkit.errors").attr("KernelError");
                PyErr_SetObject(kernelError.ptr(), py::str("aclnn" + opType_ + ": " + failed).ptr());
                throw py::error_already_set();
            }
        }
        if (nOut == 1) return single;
        return std::move(result);
    }

    // aclnn<Op>'s phase 2 (aclnn.cpp Run): each tensor bounded by its padded device size.
    // Runs without the GIL: `sizes` are the inputs' byte sizes, read before it was released.
    void Launch(opkit::host::Plan& plan, const std::vector<opkit::host::TensorArg>& ins,
                const std::vector<size_t>& sizes, const std::vector<uint64_t>& room,
                const std::vector<void*>& outPtrs) {
        Scratch scratch;
        std::vector<void*> inPtrs(ins.size(), nullptr);
        for (size_t i = 0; i < ins.size(); ++i) {
            if (!ins[i].present) continue;
            const size_t bytes = sizes[i];
            const size_t padded = opkit::acl::PaddedDeviceBytes(bytes);
            if (bytes == 0 || room[i] >= padded) {
                inPtrs[i] = ins[i].data;  // lent as it is
            } else {  // copied into a block of its padded size, as aclrtMalloc + aclrtMemcpy
                inPtrs[i] = scratch.Alloc(bytes);
                std::memcpy(inPtrs[i], ins[i].data, bytes);
            }
            if (bytes && i < plan.inBytes.size())
                opkit::acl::WidenToDeviceBlock(plan.inBytes[i], i < plan.inNames.size() ? &plan.inNames[i] : nullptr,
                                               int64_t(padded));
        }
        for (size_t k = 0; k < outPtrs.size() && k < plan.outBytes.size(); ++k) {
            if (plan.outBytes[k] == 0) continue;
            opkit::acl::WidenToDeviceBlock(plan.outBytes[k], k < plan.outNames.size() ? &plan.outNames[k] : nullptr,
                                           int64_t(opkit::acl::PaddedDeviceBytes(plan.outBytes[k])));
        }
        void* workspace = nullptr;
        if (plan.workspaceBytes > 0) {
            workspace = scratch.Alloc(plan.workspaceBytes);
            plan.workspaceBytes = opkit::acl::PaddedDeviceBytes(plan.workspaceBytes);
        }
        opkit::host::Execute(plan, kernelPrefix_ + std::to_string(plan.column) + ".so", inPtrs, outPtrs,
                             &opkit::rt::DefaultSoc(), workspace);
    }

    static constexpr int64_t kSlack = 512;  // library.py _GM_SLACK
    std::string opType_, scope_, kernelPrefix_;
    std::vector<InputSpec> inputs_;
    std::vector<AttrSpec> attrs_;
    std::vector<int> outputRefs_;
    std::map<ge::DataType, py::object> outDtypes_;
    py::object handlerName_;
};

}  // namespace

void BindDirectCall(py::module_& m) {
    m.def("gm_empty", [](int64_t bytes) {
              GmBlock* block = nullptr;
              py::capsule base = GmCapsule(size_t(bytes), block);
              return py::array(py::dtype("uint8"), std::vector<py::ssize_t>{py::ssize_t(bytes)}, block->p, base);
          }, py::arg("bytes"), "A uint8 array of `bytes` in opkit's output memory (Note [Output memory]).");
    m.def("gm_room", &GmRoom, py::arg("owner"),
          "The bytes usable from the start of `owner` if its base is opkit's output memory, else 0.");
    py::class_<DirectOp>(m, "DirectOp")
        .def(py::init<const std::string&, const std::string&, const py::list&, const py::list&, const std::vector<int>&,
                      const py::dict&, const py::object&>(),
             py::arg("root"), py::arg("op_type"), py::arg("inputs"), py::arg("attrs"), py::arg("output_refs"),
             py::arg("out_dtypes"), py::arg("handler_name"))
        .def("__call__", &DirectOp::Call, py::arg("args"), py::arg("kwargs"),
             "The op's outputs, or None when the call needs the ctypes path (Note [Direct calls]).");
}
