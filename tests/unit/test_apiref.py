"""docs/api-reference.md from the headers (opkit.apiref): the declaration reader on small synthetic
headers (overloads, templates, macros, classes, SoC markers, the not-implemented lists), the
staleness check, and the repository's own reference being current.

Run: pytest tests/unit/test_apiref.py -q
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opkit import apiref
from opkit.cli import main
from opkit.cxx_decls import parse
from opkit.cxx_tokens import scan
from opkit.errors import OpkitError

REPO = Path(__file__).resolve().parents[2]

SOC_CPP = """
const SocInfo kSocs[] = {
    {"Ascend910B1", "ascend910b", 2201, 220, 24, 48, 1.85, {}, true},
    {"Ascend910B4", "ascend910b", 2201, 220, 20, 40, 1.50, {}, true},
    {"Ascend910A", "ascend910", 1001, 100, 32, 32, 1.00, {}, false},
    {"Ascend310P3", "ascend310p", 2002, 200, 8, 8, 1.06, {}, false},
};
"""

VEC_H = """\
// A vector header in opkit's style.
#pragma once
namespace AscendC {
namespace detail {
template <typename T> struct Id { using type = T; };
template <typename T> using NoDeduce = typename Id<T>::type;
void Helper(int);  // internal: not listed
}  // namespace detail

#define OPKIT_UNARY(NAME)                                                              \\
    template <typename T>                                                              \\
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src,  \\
                                const int32_t& count) {                                \\
        detail::Helper(count); /* a body is never read */                              \\
    }                                                                                  \\
    template <typename T, bool isSetMask = true>                                       \\
    __aicore__ inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src,  \\
                                uint64_t mask, const int32_t repeatTimes) {            \\
        if (mask > 0) { detail::Helper(#NAME[0]); }                                    \\
    }
OPKIT_UNARY(Exp)
// soc: 910B
OPKIT_UNARY(Ln)
#undef OPKIT_UNARY

template <typename T>
__aicore__ inline void Duplicate(const LocalTensor<T>& dst, const detail::NoDeduce<T>& scalar, const int32_t& count) {}

// The pad unit: 910B only.
// soc: 910B
template <typename T>
__aicore__ inline void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyExtParams& p) {
    if (p.blockLen > 0) { return; }
}
// soc: 910A 310P
template <typename T>
__aicore__ inline void RpSort16(const LocalTensor<T>& dst, const LocalTensor<T>& src, const int32_t repeatTime) {}

struct DataCopyParams {
    uint16_t blockCount = 1;
    uint16_t blockLen = 0;  // in 32-byte blocks
    DataCopyParams() = default;
    DataCopyParams(uint16_t count, uint16_t len) : blockCount(count), blockLen{len} {}
};

template <typename T>
class LocalTensor {
public:
    LocalTensor(T* addr, uint32_t count) : addr_(addr), size_(count) {}  // opkit's, not __aicore__
    __aicore__ inline T GetValue(uint32_t index) const { return addr_[index]; }
    __aicore__ inline T& operator()(uint32_t index) const { return addr_[index]; }
    __aicore__ inline LocalTensor operator[](uint32_t offset) const { return *this; }
    template <typename U>
    __aicore__ inline LocalTensor<U> ReinterpretCast() const;
    T* Data() const { return addr_; }
    T* addr_ = nullptr;

private:
    __aicore__ inline void Hidden() {}
    uint32_t size_ = 0;
};

enum class RoundMode : uint8_t { CAST_NONE = 0, CAST_RINT, CAST_FLOOR };
enum Unscoped { FIRST, SECOND };
constexpr uint32_t ONE_BLK_SIZE = 32;
using QuePosition = RoundMode;
constexpr int32_t OPKIT_INTERNAL = 1;
}  // namespace AscendC

#define PRINTF AscendC::printf
#define ICPU_RUN_KF(func, blockdim, ...) func(__VA_ARGS__)
"""

NOT_IMPLEMENTED_H = """\
#pragma once
#define OPKIT_NOT_IMPLEMENTED(NAME) template <typename T = void> void(NAME)(...) {} static_assert(true, "")
namespace AscendC {
OPKIT_NOT_IMPLEMENTED(Sign);
OPKIT_NOT_IMPLEMENTED(Acos);
}  // namespace AscendC
"""


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    """A minimal opkit source tree: runtime/include with ``files``, runtime/src/soc.cpp."""
    for rel, text in {"kernel_operator.h": "#pragma once\n", **files}.items():
        p = tmp_path / "runtime/include" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (tmp_path / "runtime/src").mkdir(parents=True, exist_ok=True)
    (tmp_path / "runtime/src/soc.cpp").write_text(SOC_CPP)
    return tmp_path


def decls(text: str):
    return parse(scan(text, "x.h", {})[0], "x.h")


def test_overloads_templates_and_macro_expansions_are_read() -> None:
    ds = {(d.name, d.text, d.template, d.soc) for d in decls(VEC_H) if d.kind == "function"}
    assert ("Exp", "void Exp(const LocalTensor<T>& dst, const LocalTensor<T>& src, const int32_t& count)",
            "template <typename T>", None) in ds
    assert ("Exp", "void Exp(const LocalTensor<T>& dst, const LocalTensor<T>& src, uint64_t mask, "
                   "const int32_t repeatTimes)", "template <typename T, bool isSetMask = true>", None) in ds
    # A marker before a macro call covers every declaration the macro makes.
    assert sorted(d[3] for d in ds if d[0] == "Ln") == ["910B", "910B"]
    # detail::NoDeduce<T> shows as the T it is; bodies with braces and strings are skipped.
    assert ("Duplicate", "void Duplicate(const LocalTensor<T>& dst, const T& scalar, const int32_t& count)",
            "template <typename T>", None) in ds
    assert ("RpSort16", "void RpSort16(const LocalTensor<T>& dst, const LocalTensor<T>& src, const int32_t repeatTime)",
            "template <typename T>", "910A 310P") in ds


def test_classes_list_their_public_members_and_fields() -> None:
    by_name = {d.name: d for d in decls(VEC_H) if d.kind == "class"}
    params = by_name["DataCopyParams"]
    assert [(m.kind, m.text) for m in params.members] == [
        ("variable", "uint16_t blockCount = 1"), ("variable", "uint16_t blockLen = 0"),
        ("function", "DataCopyParams(uint16_t count, uint16_t len)")]  # no `= default`, no initializers
    tensor = by_name["LocalTensor"]
    assert tensor.template == "template <typename T>"
    names = [m.name for m in tensor.members]
    assert "Hidden" not in names and "size_" not in names  # private
    assert {"GetValue", "operator()", "operator[]", "ReinterpretCast", "Data", "LocalTensor"} <= set(names)
    text = apiref_render_class(tensor)
    # A kernel class: __aicore__ marks its API, so opkit's own constructor, Data() and addr_ are not shown.
    assert "T& operator()(uint32_t index) const;" in text
    assert "template <typename U> LocalTensor<U> ReinterpretCast() const;" in text
    assert "Data()" not in text and "addr_" not in text and "LocalTensor(T* addr" not in text


def apiref_render_class(d) -> str:
    from opkit.apiref_render import _class

    return "\n".join(_class(d))


def test_enums_constants_and_aliases() -> None:
    ds = {d.name: d for d in decls(VEC_H)}
    assert [e.name for e in ds["RoundMode"].members] == ["CAST_NONE", "CAST_RINT", "CAST_FLOOR"]
    assert ds["ONE_BLK_SIZE"].kind == "constant" and ds["ONE_BLK_SIZE"].text == "constexpr uint32_t ONE_BLK_SIZE = 32"
    assert ds["QuePosition"].kind == "alias"


def test_generated_reference_from_a_synthetic_tree(tmp_path: Path) -> None:
    root = tree(tmp_path, {"opkit/kernel/vec.h": VEC_H, "opkit/kernel/not_implemented.h": NOT_IMPLEMENTED_H})
    text = apiref.generate(root)
    assert "| 910B | Ascend910B1, Ascend910B4 | 2201 |" in text
    assert "#### `AscendC::Exp` (2 overloads)\n\nSoCs: all\n" in text
    assert "#### `AscendC::Ln` (2 overloads)\n\nSoCs: 910B\n" in text
    assert "#### `AscendC::RpSort16`\n\nSoCs: 910A, 310P\n" in text
    assert "// soc: 910B\ntemplate <typename T> void DataCopyPad(" in text
    assert "| `AscendC::Exp` | function (2 overloads) | `opkit/kernel/vec.h` | all |" in text
    assert "| `AscendC::Sign` | not implemented | `opkit/kernel/not_implemented.h` |" in text
    assert "`ICPU_RUN_KF(func, blockdim, ...)`" in text and "`PRINTF`" in text
    assert "enum class RoundMode : uint8_t { CAST_NONE, CAST_RINT, CAST_FLOOR };" in text
    assert "Helper" not in text and "OPKIT_INTERNAL" not in text and "NoDeduce" not in text  # opkit's own
    assert "### `opkit/kernel/not_implemented.h` (2)\n\n`Acos`, `Sign`" in text
    assert re.search(r"\d+ names are declared, 5 of them functions with 7 overloads; \[2 Ascend C APIs", text)


def test_an_unknown_soc_family_is_refused(tmp_path: Path) -> None:
    root = tree(tmp_path, {"opkit/kernel/x.h": "namespace AscendC {\n// soc: 910C\nvoid F();\n}\n"})
    with pytest.raises(OpkitError, match=r"opkit/kernel/x.h:3: `// soc: 910C`: 910C is not a SoC family "
                                         r"\(known: 910B, 910A, 310P\)"):
        apiref.generate(root)


def test_an_implemented_api_in_the_not_implemented_list_is_refused(tmp_path: Path) -> None:
    root = tree(tmp_path, {"opkit/kernel/not_implemented.h": NOT_IMPLEMENTED_H,
                           "lib/math/sign.h": "namespace AscendC {\ntemplate <typename T> void Sign(T x) {}\n}\n"})
    with pytest.raises(OpkitError, match=r"OPKIT_NOT_IMPLEMENTED\(Sign\), but runtime/include/lib/math/sign.h "
                                         r"declares AscendC::Sign: remove it"):
        apiref.generate(root)


def test_a_header_in_no_section_is_refused(tmp_path: Path) -> None:
    root = tree(tmp_path, {"newdir/x.h": "void F();\n"})
    with pytest.raises(OpkitError, match=r"newdir/x.h: in no section of the API reference"):
        apiref.generate(root)


def test_check_finds_a_stale_reference_and_names_the_change(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = tree(tmp_path, {"opkit/kernel/vec.h": VEC_H})
    assert main(["apiref", "--root", str(root)]) == 0
    assert main(["apiref", "--check", "--root", str(root)]) == 0
    assert "up to date" in capsys.readouterr().out
    header = root / "runtime/include/opkit/kernel/vec.h"
    header.write_text(header.read_text().replace("OPKIT_UNARY(Exp)", "OPKIT_UNARY(Exp)\nOPKIT_UNARY(Sqrt)"))
    assert main(["apiref", "--check", "--root", str(root)]) == 1
    out = capsys.readouterr().err
    assert "docs/api-reference.md is stale" in out
    assert "regenerate it with `python -m opkit apiref`" in out
    assert "+| `AscendC::Sqrt` | function (2 overloads) | `opkit/kernel/vec.h` | all |" in out
    (root / "docs/api-reference.md").unlink()
    assert main(["apiref", "--check", "--root", str(root)]) == 1
    assert "docs/api-reference.md is missing" in capsys.readouterr().err


def test_the_repository_reference_is_current() -> None:
    """CI's `python -m opkit apiref --check`, so that `pytest --mode=cpu` also catches a stale file."""
    problem = apiref.stale(REPO)
    assert problem is None, problem


# Runtime refusals of a whole API on some SoCs: `X does not exist on <soc>` messages and the
# Require* helpers that produce them.
_REFUSALS = [re.compile(r'"(\w+)(?:\(\))?(?: \([^)"]*\))? does not exist on'),
             re.compile(r'std::string\("(\w+)(?:\(\))?(?: \([^)"]*\))?"\) \+ " does not exist on'),
             re.compile(r'Require(?:Arch2201|ProposalType|SortType|Pad)\("(\w+)')]


def test_every_api_the_runtime_refuses_on_some_socs_has_a_soc_marker() -> None:
    """Note [SoC markers]: a refusal added in runtime/src without a marker in the header fails here."""
    refused: dict[str, str] = {}
    for path in sorted((REPO / "runtime").rglob("*")):
        if path.suffix in (".cpp", ".h", ".inc"):
            for rx in _REFUSALS:
                for m in rx.finditer(path.read_text()):
                    refused.setdefault(m.group(1), str(path.relative_to(REPO)))
    assert {"DataCopyPad", "Fixpipe", "GatherMask", "CrossCoreSetFlag", "RpSort16"} <= set(refused)
    marked = {d.name for h in apiref.collect(REPO).headers for d in h.decls if d.soc}
    missing = {name: where for name, where in refused.items() if name not in marked}
    assert not missing, f"refused on some SoCs at run time but with no `// soc:` marker in its header: {missing}"
