#!/usr/bin/env python3
"""Generate the public TensorRT-8.6-compatible C++ headers from the API inventory.

Input : api/trt86-api-inventory.md (names, signatures, enum values, vtable order --
        facts only), kept in this repository.
Output: include/*.h (the installed headers) and src/bridge/generated/v_defaults.h
        (bridge-only helper classes that stub every apiv::V* method).

Python 3.11, standard library only.  Deterministic: the same inventory always
produces byte-identical files.

Usage: python3 scripts/gen_headers.py [--inventory PATH] [--check]
  --check  compare with the files on disk instead of writing; exit 1 on drift.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_INVENTORY = REPO / "api" / "trt86-api-inventory.md"


class InventoryError(Exception):
    pass


def fail(msg: str):
    raise InventoryError(msg)


# ----------------------------------------------------------------------------------------
# C++ declaration parsing helpers
# ----------------------------------------------------------------------------------------

TOKEN_RE = re.compile(r"[A-Za-z_][\w]*(?:::[A-Za-z_~][\w]*)*|\*|&|\[[^\]]*\]|\S")
TYPE_WORDS = {
    "const", "volatile", "unsigned", "signed", "struct", "class", "enum",
    "int", "char", "bool", "float", "double", "void", "long", "short",
}


def split_top(s: str, sep: str = ",") -> list[str]:
    """Split on `sep` outside (), [], <>, {} and string literals."""
    out, depth, cur, in_str = [], 0, [], False
    for ch in s:
        if in_str:
            cur.append(ch)
            if ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "([<{":
            depth += 1
        elif ch in ")]>}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur))
    return [x.strip() for x in out]


def fmt_type(t: str) -> str:
    """Normalise a type spelling to our layout: `const T *` -> `T const*`."""
    toks = TOKEN_RE.findall(t.strip())
    if len(toks) >= 2 and toks[0] == "const" and toks[1] not in ("*", "&"):
        toks[0], toks[1] = toks[1], toks[0]
    out = ""
    for tok in toks:
        if tok in ("*", "&"):
            out = out.rstrip() + tok
        elif not out:
            out = tok
        else:
            out += " " + tok
    return out


@dataclass
class Param:
    type: str
    name: str = ""
    array: str = ""
    default: str = ""

    def decl(self, with_default: bool = True, keep_name: bool = True) -> str:
        s = self.type
        if self.name and keep_name:
            s += " " + self.name
        elif self.name:
            s += " /*" + self.name + "*/"
        s += self.array
        if with_default and self.default:
            s += " = " + self.default
        return s


def parse_param(p: str) -> Param:
    default = ""
    eq = split_top(p, "=")
    if len(eq) == 2:
        p, default = eq[0], eq[1]
    elif len(eq) > 2:
        fail(f"cannot parse parameter {p!r}")
    p = p.strip()
    array = ""
    m = re.search(r"(\[[^\]]*\])\s*$", p)
    if m:
        array = m.group(1)
        p = p[: m.start()].strip()
    toks = TOKEN_RE.findall(p)
    name = ""
    if (
        len(toks) >= 2
        and re.fullmatch(r"[A-Za-z_]\w*", toks[-1])
        and toks[-1] not in TYPE_WORDS
        and not (len(toks) == 2 and toks[0] in ("const", "unsigned", "signed", "struct", "volatile"))
    ):
        name = toks[-1]
        p = p[: p.rfind(name)].strip()
    return Param(fmt_type(p), name, array, default.strip())


@dataclass
class Sig:
    ret: str
    name: str
    params: list[Param]
    const: bool = False
    noexcept: bool = False
    virtual: bool = False
    override: bool = False
    final: bool = False
    pure: bool = False
    defaulted: bool = False
    deleted: bool = False
    raw: str = ""

    @property
    def is_dtor(self) -> bool:
        return self.name.startswith("~")

    def params_decl(self, with_default=True, keep_names=True, used: str | None = None) -> str:
        out = []
        for p in self.params:
            keep = keep_names
            if used is not None and p.name:
                keep = re.search(r"\b" + re.escape(p.name) + r"\b", used) is not None
            out.append(p.decl(with_default, keep))
        return ", ".join(out)

    def quals(self, override_kw: str | None = None) -> str:
        q = ""
        if self.const:
            q += " const"
        if self.noexcept:
            q += " noexcept"
        if override_kw is not None:
            q += override_kw
        else:
            if self.override:
                q += " override"
            if self.final:
                q += " final"
        return q


def parse_sig(s: str) -> Sig:
    raw = s
    s = s.strip()
    pure = defaulted = deleted = False
    m = re.search(r"=\s*(0|default|delete)\s*$", s)
    if m:
        pure, defaulted, deleted = m.group(1) == "0", m.group(1) == "default", m.group(1) == "delete"
        s = s[: m.start()].strip()
    # locate the parameter list: first '(' after the function name
    i = s.index("(")
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "(":
            depth += 1
        elif s[j] == ")":
            depth -= 1
            if depth == 0:
                break
    else:
        fail(f"unbalanced parens in {raw!r}")
    pre, inner, post = s[:i].strip(), s[i + 1 : j], s[j + 1 :].split()
    virtual = False
    if pre.startswith("virtual "):
        virtual, pre = True, pre[len("virtual ") :].strip()
    m = re.search(r"(operator\s*=|~?[A-Za-z_]\w*(?:<\w+>)?)$", pre)
    if not m:
        fail(f"no function name in {raw!r}")
    name = m.group(1)
    ret = fmt_type(pre[: m.start()]) if pre[: m.start()].strip() else ""
    params = [parse_param(x) for x in split_top(inner)] if inner.strip() and inner.strip() != "void" else []
    sig = Sig(ret, name, params, raw=raw.strip(), pure=pure, defaulted=defaulted, deleted=deleted, virtual=virtual)
    for q in post:
        if q == "const":
            sig.const = True
        elif q == "noexcept":
            sig.noexcept = True
        elif q == "override":
            sig.override = True
        elif q == "final":
            sig.final = True
        else:
            fail(f"unknown qualifier {q!r} in {raw!r}")
    return sig


def parse_data_field(s: str) -> tuple[str, str, str]:
    """`static constexpr int32_t MAX_DIMS` / `int32_t d[8]` -> (type, name, array)."""
    p = parse_param(s)
    if not p.name:
        fail(f"data member without name: {s!r}")
    return p.type, p.name, p.array


# ----------------------------------------------------------------------------------------
# Inventory model
# ----------------------------------------------------------------------------------------


@dataclass
class EnumDef:
    qname: str
    header: str
    underlying: str
    enum_max: int | None
    values: list[tuple[str, int, bool]] = field(default_factory=list)  # (name, value, deprecated)

    @property
    def name(self) -> str:
        return self.qname.split("::")[-1]

    @property
    def ns(self) -> str:
        return "::".join(self.qname.split("::")[:-1])


@dataclass
class ClassInfo:
    qname: str
    header: str
    kind: str
    bases: list[str]
    deprecated: bool = False
    impl_member: str = ""   # mImpl / mLayer / mBoundary
    impl_class: str = ""    # VBuilder ...
    members: list[tuple[Sig | None, bool, str]] = field(default_factory=list)  # (sig, dep, raw)
    data: list[tuple[str, str, str]] = field(default_factory=list)
    # section-3 style (virtual interfaces)
    vmethods: list[tuple[Sig, set[str]]] = field(default_factory=list)
    member_types: list[str] = field(default_factory=list)
    special: list[tuple[Sig, bool]] = field(default_factory=list)  # (sig, protected)

    @property
    def name(self) -> str:
        return self.qname.split("::")[-1]

    @property
    def ns(self) -> str:
        return "::".join(self.qname.split("::")[:-1])


@dataclass
class VClass:
    name: str
    header: str
    methods: list[Sig]


@dataclass
class Inventory:
    classes: dict[str, ClassInfo]
    class_order: list[str]
    enums: dict[str, EnumDef]
    enum_order: list[str]
    vclasses: dict[str, VClass]
    vorder: list[str]
    layers: list[tuple[int, str, str, str]]  # value, LayerType, class, created-by
    constants: dict[str, str]
    member_typedefs: dict[str, list[str]]
    text: str


def sections(text: str) -> dict[str, str]:
    """Split the markdown on level-2 headings."""
    out, cur, buf = {}, None, []
    for line in text.splitlines():
        if line.startswith("## "):
            if cur is not None:
                out[cur] = "\n".join(buf)
            cur, buf = line[3:].strip(), []
        else:
            buf.append(line)
    if cur is not None:
        out[cur] = "\n".join(buf)
    return out


def find_section(secs: dict[str, str], prefix: str) -> str:
    hits = [k for k in secs if k.startswith(prefix)]
    if len(hits) != 1:
        fail(f"section starting with {prefix!r}: found {hits}")
    return secs[hits[0]]


def parse_inventory(path: Path) -> Inventory:
    text = path.read_text(encoding="utf-8")
    secs = sections(text)
    classes: dict[str, ClassInfo] = {}
    class_order: list[str] = []
    enums: dict[str, EnumDef] = {}
    enum_order: list[str] = []

    # ---- section 2: classes and enums per header --------------------------------------
    s2 = find_section(secs, "2.")
    header = None
    for line in s2.splitlines():
        m = re.match(r"### (\w+\.h)", line)
        if m:
            header = m.group(1)
            continue
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.match(r"`([\w:]+)`( \*\(class deprecated\)\*)?", cells[0])
        if not m:
            fail(f"bad table row {line!r}")
        qname = m.group(1)
        if len(cells) == 4 and cells[1] in ("int32_t", "uint8_t", "int"):
            enums[qname] = EnumDef(qname, header, cells[1], int(cells[3]) if cells[3] else None)
            enum_order.append(qname)
        elif len(cells) == 5:
            bases = [] if cells[2] in ("—", "-", "") else [b.strip() for b in cells[2].split(",")]
            classes[qname] = ClassInfo(qname, header, cells[1], bases, deprecated=bool(m.group(2)))
            class_order.append(qname)
        else:
            fail(f"unexpected table row {line!r}")

    # ---- section 6: enum values --------------------------------------------------------
    s6 = find_section(secs, "6.")
    for line in s6.splitlines():
        m = re.match(r"- (?:\*\*)?`([\w:]+)`(?:\*\*)? \(([^)]*)\): (.*)$", line)
        if not m:
            continue
        qname = m.group(1)
        if qname not in enums:
            fail(f"enum {qname} has values but no section-2 entry")
        vals = re.findall(r"`(\w+)`=(-?\d+)( \(dep[^)]*\))?", m.group(3))
        enums[qname].values = [(n, int(v), bool(d)) for n, v, d in vals]
    for q in enum_order:
        if not enums[q].values:
            fail(f"enum {q} has no values")
    constants = {}
    for m in re.finditer(r"`([\w:]+)` = (-?\d+)", s6):
        constants[m.group(1)] = m.group(2)

    # ---- section 3: user interfaces + library abstract classes ------------------------
    s3 = find_section(secs, "3.")
    cur: ClassInfo | None = None
    for line in s3.splitlines():
        m = re.match(r"### `([\w:]+)` \((\w+\.h); bases: ([^)]*)\)", line) or re.match(
            r"\*\*`([\w:]+)`\*\* \((\w+\.h)\)", line
        )
        if m:
            qname = m.group(1)
            if qname not in classes:
                fail(f"section-3 class {qname} not in section 2")
            cur = classes[qname]
            continue
        if line.startswith("### ") or line.startswith("**Non-virtual") or line.startswith("Notes:"):
            cur = None
            continue
        if cur is None:
            continue
        m = re.match(r"\d+\. `([^`]*)`(?: \[([^\]]*)\])?", line)
        if m:
            flags = {f.strip() for f in (m.group(2) or "").split(",") if f.strip()}
            cur.vmethods.append((parse_sig(m.group(1)), flags))
            continue
        if line.startswith("- member types/constants:"):
            cur.member_types = [x for x in re.findall(r"`([^`]*)`", line)]
            if "nested enum" in line:
                cur.member_types = ["enum:" + x for x in re.findall(r"nested enum `(\w+)`", line)]
            continue
        if line.startswith("- special members:"):
            for item in line.split(":", 1)[1].split(";"):
                item = item.strip()
                prot = item.startswith("`prot ")
                sig = item.strip("`")
                if prot:
                    sig = sig[len("prot ") :]
                cur.special.append((parse_sig(sig), prot))
    member_typedefs: dict[str, list[str]] = {}
    for m in re.finditer(r"`([\w:]+)` [^.]*?it has typedef `(\w+) = ([^`]+)`", s3):
        member_typedefs.setdefault("nvinfer1::" + m.group(1).split("::")[-1], []).append(
            f"using {m.group(2)} = {fmt_type(m.group(3))};"
        )

    # ---- appendix A: members of library + value classes --------------------------------
    sa = find_section(secs, "Appendix A")
    cur = None
    header = None
    for line in sa.splitlines():
        m = re.match(r"### (\w+\.h)", line)
        if m:
            header = m.group(1)
            continue
        m = re.match(r"\*\*`([\w:]+)`\*\* — ([^;]*)(.*)$", line)
        if m:
            qname = m.group(1)
            if qname not in classes:
                fail(f"appendix-A class {qname} not in section 2")
            cur = classes[qname]
            if cur.header != header:
                fail(f"{qname}: header mismatch {cur.header} vs {header}")
            rest = m.group(3)
            mm = re.search(r"impl pointer `(\w+) : apiv::(\w+)`", rest)
            if mm:
                cur.impl_member, cur.impl_class = mm.group(1), mm.group(2)
            mm = re.search(r"base `([\w:]+)`", rest)
            if mm and cur.bases != [mm.group(1)]:
                fail(f"{qname}: base mismatch {cur.bases} vs {mm.group(1)}")
            continue
        if cur is None:
            continue
        if line.startswith("- data:"):
            cur.data = [parse_data_field(x) for x in re.findall(r"`([^`]*)`", line)]
            continue
        m = re.match(r"- `([^`]*)`( \[dep\])?\s*$", line)
        if m:
            if cur.kind.startswith("template helper"):
                cur.members.append((None, False, m.group(1)))
            else:
                cur.members.append((parse_sig(m.group(1)), bool(m.group(2)), m.group(1)))

    # ---- appendix B: apiv classes ------------------------------------------------------
    sb = find_section(secs, "Appendix B")
    vclasses: dict[str, VClass] = {}
    vorder: list[str] = []
    curv: VClass | None = None
    for line in sb.splitlines():
        m = re.match(r"\*\*`(\w+)`\*\* \((\w+\.h); base ([^;]+); (\d+) methods\)", line)
        if m:
            curv = VClass(m.group(1), m.group(2), [])
            curv_expected = int(m.group(4))
            if m.group(2) == "NvInferImpl.h" and m.group(1) != "VRoot":
                vclasses[curv.name] = curv
                vorder.append(curv.name)
            continue
        if curv is not None and re.match(r"\s+0\. `", line):
            items = re.findall(r"(\d+)\. `([^`]*)`", line)
            for idx, (n, sig) in enumerate(items):
                if int(n) != idx:
                    fail(f"{curv.name}: method index {n} out of order")
                curv.methods.append(parse_sig(sig))
            if len(curv.methods) != curv_expected:
                fail(f"{curv.name}: expected {curv_expected} methods, parsed {len(curv.methods)}")

    # ---- section 5: layer table ---------------------------------------------------------
    s5 = find_section(secs, "5.")
    layers = []
    for line in s5.splitlines():
        m = re.match(r"\| (\d+) \| `(\w+)` \| (.*?) \| .*? \| .*? \| (.*) \|$", line)
        if m:
            cm = re.match(r"`(\w+)`", m.group(3))
            layers.append((int(m.group(1)), m.group(2), cm.group(1) if cm else "", m.group(4)))

    return Inventory(classes, class_order, enums, enum_order, vclasses, vorder, layers,
                     constants, member_typedefs, text)


def check_counts(inv: Inventory):
    """Cross-check against the inventory's own key-count table."""
    s1 = find_section(sections(inv.text), "1.")

    def count(label: str) -> int:
        for line in s1.splitlines():
            if line.startswith("| " + label):
                return int(line.split("|")[2].strip().split()[0])
        fail(f"count {label!r} missing")

    kinds = [c.kind for c in inv.classes.values()]
    exp_total = count("classes/structs in nvinfer1")
    if len(inv.classes) != exp_total:
        fail(f"class count {len(inv.classes)} != {exp_total}")
    if kinds.count("LIB pImpl") != count("… of kind LIB pImpl"):
        fail("pImpl count mismatch")
    m = re.search(r"\| `nvinfer1::apiv::V\*`[^|]*\| (\d+) classes, (\d+) pure-virtual", s1)
    nv, nm = int(m.group(1)), int(m.group(2))
    if len(inv.vclasses) != nv or sum(len(v.methods) for v in inv.vclasses.values()) != nm:
        fail(f"apiv counts: {len(inv.vclasses)} classes / "
             f"{sum(len(v.methods) for v in inv.vclasses.values())} methods, expected {nv}/{nm}")
    m = re.search(r"\| enums \(main headers\) \| (\d+) \((\d+) enumerators\)", s1)
    ne, nvals = int(m.group(1)), int(m.group(2))
    if len(inv.enums) != ne or sum(len(e.values) for e in inv.enums.values()) != nvals:
        fail(f"enum counts {len(inv.enums)}/{sum(len(e.values) for e in inv.enums.values())} "
             f"expected {ne}/{nvals}")
    # public methods per class (section 2 column) vs appendix A / section 3
    s2 = find_section(sections(inv.text), "2.")
    for line in s2.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        qname = re.match(r"`([\w:]+)`", cells[0]).group(1)
        if qname not in inv.classes:
            continue
        c = inv.classes[qname]
        expected = int(cells[3].split()[0])
        if c.kind == "LIB pImpl" or c.kind.startswith("plain"):
            got = sum(1 for s, _, _ in c.members if s and not s.is_dtor and s.name != c.name)
            if got != expected:
                fail(f"{qname}: {got} public methods parsed, inventory says {expected}")
            if c.kind == "LIB pImpl":
                mm = re.search(r"`apiv::(\w+)` \((\d+)\)", cells[4])
                if mm.group(1) != c.impl_class or len(inv.vclasses[c.impl_class].methods) != int(mm.group(2)):
                    fail(f"{qname}: V-class mismatch")


# ----------------------------------------------------------------------------------------
# Our documentation (short, written for this project)
# ----------------------------------------------------------------------------------------

CLASS_DOCS = {
    "Dims32": "Fixed-capacity shape: nbDims extents in d[] (nbDims == -1 means invalid/unknown).",
    "IGpuAllocator": "Application-supplied GPU memory allocator.",
    "ILogger": "Application-supplied sink for library log messages.",
    "IErrorRecorder": "Application-supplied store for errors reported by library objects.",
    "PluginTensorDesc": "Shape, type, format and quantisation scale of one plugin tensor.",
    "IPluginV2": "Legacy plugin interface (deprecated: implement IPluginV2DynamicExt or IPluginV2IOExt).",
    "IPluginV2Ext": "Plugin with output-type and broadcast queries (deprecated base of the newer plugins).",
    "IPluginV2IOExt": "Plugin that is configured with full tensor descriptions (implicit or explicit batch).",
    "PluginField": "One named, typed attribute handed to a plugin creator.",
    "PluginFieldCollection": "A list of PluginField records.",
    "IPluginCreator": "Factory for one plugin type: creates and deserialises plugin objects.",
    "IPluginRegistry": "Process-wide table of plugin creators, keyed by name, version and namespace.",
    "Dims2": "Two-dimensional shape.",
    "DimsHW": "Two-dimensional spatial shape (height, width).",
    "Dims3": "Three-dimensional shape.",
    "Dims4": "Four-dimensional shape.",
    "INoCopy": "Base of every library-owned object: neither copyable nor movable.",
    "Weights": "Untyped view of host weight data (not owned).",
    "IHostMemory": "Library-owned host buffer, e.g. a serialised engine plan.",
    "IDimensionExpr": "Symbolic extent used by dynamic-shape plugins.",
    "IExprBuilder": "Builds IDimensionExpr values for IPluginV2DynamicExt::getOutputDimensions.",
    "DimsExprs": "Shape whose extents are symbolic expressions.",
    "DynamicPluginTensorDesc": "Tensor description plus the shape range it may take at run time.",
    "IPluginV2DynamicExt": "Plugin for explicit-batch networks with dynamic shapes.",
    "IProfiler": "Application-supplied receiver of per-layer execution times.",
    "IRuntime": "Deserialises engine plans into ICudaEngine objects.",
    "IRefitter": "Updates the weights of a refittable engine in place.",
    "IOptimizationProfile": "Min/opt/max shapes (and shape-tensor values) of the dynamic inputs.",
    "ICudaEngine": "An optimised network, ready to create execution contexts.",
    "IOutputAllocator": "Application callback that provides memory for data-dependent outputs.",
    "IExecutionContext": "Per-inference state of an engine: shapes, addresses, and launch calls.",
    "IEngineInspector": "Reports layer and engine information of a built engine.",
    "PluginRegistrar": "Registers a creator of type T with the global plugin registry on construction.",
    "ILoggerFinder": "Gives version-compatible plugin libraries access to the library's logger.",
    "ITensor": "A tensor of a network definition.",
    "ILayer": "Common interface of every layer of a network definition.",
    "Permutation": "Axis order used by the shuffle layer.",
    "ILoopBoundaryLayer": "Common base of the layers that form the boundary of an ILoop.",
    "IIfConditionalBoundaryLayer": "Common base of the layers that form the boundary of an IIfConditional.",
    "IIfConditional": "An if-then-else construct inside a network.",
    "ILoop": "A loop construct inside a network.",
    "INetworkDefinition": "A network under construction: inputs, layers, outputs.",
    "IInt8Calibrator": "Application-supplied source of calibration batches for INT8 builds.",
    "IInt8EntropyCalibrator": "Calibrator using entropy calibration.",
    "IInt8EntropyCalibrator2": "Calibrator using entropy calibration (version 2, recommended).",
    "IInt8MinMaxCalibrator": "Calibrator using min/max ranges.",
    "IInt8LegacyCalibrator": "Calibrator using the legacy quantile/regression scheme.",
    "IAlgorithmIOInfo": "Format, type and strides of one input/output of a tactic.",
    "IAlgorithmVariant": "Implementation and tactic identifiers of a tactic.",
    "IAlgorithmContext": "The layer a set of tactics is being chosen for.",
    "IAlgorithm": "One candidate tactic offered to an IAlgorithmSelector.",
    "IAlgorithmSelector": "Application hook that chooses (and is told about) tactics.",
    "ITimingCache": "Cache of tactic timings that speeds up later builds.",
    "IBuilderConfig": "Options of one engine build.",
    "IBuilder": "Creates networks and builds them into serialised engines.",
    "Quadruple": "Four integers.",
    "PriorBoxParameters": "Parameters of the PriorBox plugin.",
    "RPROIParams": "Parameters of the RPROI plugin.",
    "GridAnchorParameters": "Parameters of the grid-anchor plugin.",
    "DetectionOutputParameters": "Parameters of the detection-output (SSD) plugin.",
    "softmaxTree": "Hierarchical softmax tree of the Region plugin.",
    "RegionParameters": "Parameters of the Region plugin.",
    "NMSParameters": "Parameters of the batched NMS plugin.",
    "IOnnxConfig": "Application-supplied ONNX parser options (used by the samples' config helpers).",
    "IParserError": "One error reported by the ONNX parser (owned by the parser).",
    "IParser": "Populates an INetworkDefinition from an ONNX model.",
}

ENUM_DOCS = {
    "DataType": "Element type of a tensor.",
    "TensorFormat": "Memory layout of a tensor.",
    "AllocatorFlag": "Properties requested of an allocation.",
    "Severity": "Importance of a log message.",
    "ErrorCode": "Category of an error.",
    "TensorIOMode": "Whether a tensor is an input, an output, or neither.",
    "PluginVersion": "Interface kind of a plugin (encoded in getTensorRTVersion()).",
    "PluginFieldType": "Element type of a PluginField.",
    "EngineCapability": "Which runtime an engine targets.",
    "DimensionOperation": "Operation combining two IDimensionExpr values.",
    "TensorLocation": "Memory space a tensor lives in.",
    "WeightsRole": "How a layer uses a set of weights (for refitting).",
    "DeviceType": "Device a layer runs on.",
    "TempfileControlFlag": "What kinds of temporary files the runtime may create.",
    "OptProfileSelector": "Which point of an optimisation profile is meant.",
    "TacticSource": "Library a tactic may come from.",
    "ProfilingVerbosity": "Amount of per-layer detail kept in an engine.",
    "LayerInformationFormat": "Output format of IEngineInspector.",
    "LayerType": "Kind of a layer.",
    "ActivationType": "Activation function.",
    "PaddingMode": "How convolution/pooling padding is computed.",
    "PoolingType": "Pooling function.",
    "ScaleMode": "Granularity of a scale layer's coefficients.",
    "ElementWiseOperation": "Binary element-wise operation.",
    "GatherMode": "Indexing scheme of a gather layer.",
    "RNNOperation": "Cell type of an RNN layer.",
    "RNNDirection": "Direction of an RNN layer.",
    "RNNInputMode": "Input handling of an RNN layer.",
    "RNNGateType": "Gate of an RNN cell.",
    "UnaryOperation": "Unary element-wise operation.",
    "ReduceOperation": "Reduction function.",
    "SampleMode": "Out-of-bounds handling of slice and grid-sample layers.",
    "TopKOperation": "Whether TopK keeps the largest or smallest values.",
    "MatrixOperation": "How a matrix-multiply operand is used.",
    "InterpolationMode": "Interpolation of resize and grid-sample layers.",
    "ResizeCoordinateTransformation": "Mapping from output to input coordinates in resize.",
    "ResizeSelector": "Coordinate rule used when an image dimension is one pixel.",
    "ResizeRoundMode": "Rounding of nearest-neighbour resize.",
    "LoopOutput": "What a loop output layer produces.",
    "TripLimit": "How a loop's trip count is limited.",
    "FillOperation": "Generator of a fill layer.",
    "ScatterMode": "Indexing scheme of a scatter layer.",
    "BoundingBoxFormat": "Box encoding of the NMS layer.",
    "CalibrationAlgoType": "INT8 calibration algorithm.",
    "QuantizationFlag": "Options of INT8 calibration.",
    "BuilderFlag": "Boolean build options (set with IBuilderConfig::setFlag).",
    "MemoryPoolType": "Memory pool whose size can be limited during a build.",
    "PreviewFeature": "Opt-in features that may change in later releases.",
    "HardwareCompatibilityLevel": "GPU architectures an engine must run on.",
    "NetworkDefinitionCreationFlag": "Options of IBuilder::createNetworkV2.",
    "CodeTypeSSD": "Box encoding used by the SSD plugins.",
    "OnnxParserFlag": "Options of the ONNX parser.",
}

# Short docs for a few non-obvious shell/user methods ("Class::method").
METHOD_DOCS = {
    "IRuntime::deserializeCudaEngine": "Creates an engine from a serialised plan (nullptr on failure).",
    "ICudaEngine::getTensorLocation": "kHOST when the engine runs on the CPU backend, else kDEVICE.",
    "ICudaEngine::createExecutionContextWithoutDeviceMemory": "Context whose scratch memory the caller provides (setDeviceMemory).",
    "IExecutionContext::enqueueV3": "Launches inference on a stream using the addresses set with setTensorAddress.",
    "IExecutionContext::executeV2": "Runs inference synchronously on the given binding pointers.",
    "IExecutionContext::setTensorAddress": "Sets the buffer of an input or output tensor by name.",
    "IBuilder::buildSerializedNetwork": "Builds a network and returns the serialised plan (nullptr on failure).",
    "IBuilder::createNetworkV2": "Creates an empty network; flags are NetworkDefinitionCreationFlag bits.",
    "IBuilderConfig::setMemoryPoolLimit": "Caps the size of a memory pool used by the build.",
    "INetworkDefinition::getBuilder": "The builder that created this network.",
    "IGpuAllocator::reallocate": "Grows an allocation in place if possible (default: not supported).",
    "IGpuAllocator::deallocate": "Frees memory from allocate() (default: forwards to free()).",
    "IPluginV2::getTensorRTVersion": "Identifies the interface kind and library version the plugin was built for.",
    "IPluginCreator::getTensorRTVersion": "Library version the creator was built against.",
    "IOutputAllocator::getInterfaceVersion": "Version of this callback interface.",
    "IPluginV2Ext::attachToContext": "Called with library handles when the plugin joins an execution context.",
    "IParser::parseFromFile": "Parses an ONNX file; verbosity is an ILogger::Severity cast to int.",
    "IParser::supportsModel": "Reports which subgraphs of a model the parser can import.",
}

# Bodies of non-pure user-interface virtuals and of value-class members, keyed
# "Class::name/arity".  Written for this project; behaviour follows the inventory notes.
# top byte: interface kind; low 24 bits: library version
PACK = ("uint32_t const kind = static_cast<uint32_t>(PluginVersion::{v}) << 24U;\n"
        "return static_cast<int32_t>(kind | (static_cast<uint32_t>(NV_TENSORRT_VERSION) & 0xFFFFFFU));")
BODIES = {
    "IGpuAllocator::reallocate/3": "return nullptr;",
    "IGpuAllocator::deallocate/1": "@deprecated-call\nfree(memory);\nreturn true;",
    "IOutputAllocator::getInterfaceVersion/0": "return 1;",
    "IPluginV2::getTensorRTVersion/0": "return NV_TENSORRT_VERSION;",
    "IPluginCreator::getTensorRTVersion/0": "return NV_TENSORRT_VERSION;",
    "IPluginV2Ext::attachToContext/3": "",
    "IPluginV2Ext::detachFromContext/0": "",
    "IPluginV2Ext::getTensorRTVersion/0": PACK.format(v="kV2_EXT"),
    "IPluginV2Ext::configureWithFormat/7": "",
    "IPluginV2IOExt::getTensorRTVersion/0": PACK.format(v="kV2_IOEXT"),
    "IPluginV2IOExt::configurePlugin/10": "",
    "IPluginV2IOExt::supportsFormat/2": "return false;",
    "IPluginV2DynamicExt::getTensorRTVersion/0": PACK.format(v="kV2_DYNAMICEXT"),
    "IPluginV2DynamicExt::configurePlugin/10": "",
    "IPluginV2DynamicExt::supportsFormat/2": "return false;",
    "IPluginV2DynamicExt::getOutputDimensions/3": "Dims result{};\nresult.nbDims = -1;\nreturn result;",
    "IPluginV2DynamicExt::isOutputBroadcastAcrossBatch/3": "return false;",
    "IPluginV2DynamicExt::canBroadcastInputAcrossBatch/1": "return true;",
    "IPluginV2DynamicExt::getWorkspaceSize/1": "return 0;",
    "IPluginV2DynamicExt::enqueue/5": "return 1;",
    "IInt8EntropyCalibrator::getAlgorithm/0": "return CalibrationAlgoType::kENTROPY_CALIBRATION;",
    "IInt8EntropyCalibrator2::getAlgorithm/0": "return CalibrationAlgoType::kENTROPY_CALIBRATION_2;",
    "IInt8MinMaxCalibrator::getAlgorithm/0": "return CalibrationAlgoType::kMINMAX_CALIBRATION;",
    "IInt8LegacyCalibrator::getAlgorithm/0": "return CalibrationAlgoType::kLEGACY_CALIBRATION;",
    # value classes
    "PluginField::PluginField/4": "@init name(name_), data(data_), type(type_), length(length_)",
    "Dims2::Dims2/0": "@init Dims2(0, 0)",
    "Dims2::Dims2/2": "@init Dims{2, {d0, d1}}",
    "DimsHW::DimsHW/0": "@init Dims2()",
    "DimsHW::DimsHW/2": "@init Dims2(height, width)",
    "DimsHW::h/0": "return d[0];",
    "DimsHW::w/0": "return d[1];",
    "Dims3::Dims3/0": "@init Dims3(0, 0, 0)",
    "Dims3::Dims3/3": "@init Dims2(d0, d1)\nnbDims = 3;\nd[2] = d2;",
    "Dims4::Dims4/0": "@init Dims4(0, 0, 0, 0)",
    "Dims4::Dims4/4": "@init Dims3(d0, d1, d2)\nnbDims = 4;\nd[3] = d3;",
}

# class-key used for value types (struct vs class); forward declarations use the same key.
CLASS_KEYS = {
    "Dims32": "class", "Dims2": "class", "DimsHW": "class", "Dims3": "class", "Dims4": "class",
    "Weights": "class", "PluginField": "class", "DimsExprs": "class",
}

# ----------------------------------------------------------------------------------------
# Emission helpers
# ----------------------------------------------------------------------------------------

IND = "    "
BANNER = (
    "// {file}: {purpose}\n"
    "//\n"
    "// Generated by scripts/gen_headers.py from the project's API inventory; do not edit.\n"
    "// Source-compatible with the TensorRT 8.6 C++ API; written independently for this project.\n"
)

HEADER_PURPOSE = {
    "NvInferVersion.h": "library version macros.",
    "NvInferRuntimeBase.h": "basic types, macros, enums and the logger/allocator/error-recorder interfaces.",
    "NvInferRuntimePlugin.h": "the implicit-batch plugin interfaces and plugin creator.",
    "NvInferRuntimeCommon.h": "the plugin registry.",
    "NvInferLegacyDims.h": "fixed-rank shape helpers (Dims2, DimsHW, Dims3, Dims4).",
    "NvInferImpl.h": "implementation interfaces (apiv::V*) behind the library classes.",
    "NvInferRuntime.h": "runtime API: IRuntime, ICudaEngine, IExecutionContext and friends.",
    "NvInfer.h": "network definition and builder API.",
    "NvInferPlugin.h": "entry point of the standard plugin library.",
    "NvInferPluginUtils.h": "parameter structs of the standard plugins.",
    "NvOnnxConfig.h": "ONNX parser configuration interface.",
    "NvOnnxParser.h": "ONNX parser API.",
}

GUARDS = {
    "NvInferVersion.h": "NVTRT_NV_INFER_VERSION_H",
    "NvInferRuntimeBase.h": "NVTRT_NV_INFER_RUNTIME_BASE_H",
    "NvInferRuntimePlugin.h": "NVTRT_NV_INFER_RUNTIME_PLUGIN_H",
    "NvInferRuntimeCommon.h": "NVTRT_NV_INFER_RUNTIME_COMMON_H",
    "NvInferLegacyDims.h": "NVTRT_NV_INFER_LEGACY_DIMS_H",
    "NvInferImpl.h": "NVTRT_NV_INFER_IMPL_H",
    "NvInferRuntime.h": "NVTRT_NV_INFER_RUNTIME_H",
    "NvInfer.h": "NVTRT_NV_INFER_H",
    "NvInferPlugin.h": "NVTRT_NV_INFER_PLUGIN_H",
    "NvInferPluginUtils.h": "NVTRT_NV_INFER_PLUGIN_UTILS_H",
    "NvOnnxConfig.h": "NVTRT_NV_ONNX_CONFIG_H",
    "NvOnnxParser.h": "NVTRT_NV_ONNX_PARSER_H",
}

INCLUDES = {
    "NvInferVersion.h": [],
    "NvInferRuntimeBase.h": ["NvInferVersion.h", "<cstddef>", "<cstdint>"],
    "NvInferRuntimePlugin.h": ["NvInferRuntimeBase.h"],
    "NvInferRuntimeCommon.h": ["NvInferRuntimeBase.h", "NvInferRuntimePlugin.h"],
    "NvInferLegacyDims.h": ["NvInferRuntimeCommon.h"],
    "NvInferImpl.h": ["NvInferLegacyDims.h", "NvInferRuntimeCommon.h"],
    "NvInferRuntime.h": ["NvInferImpl.h", "NvInferRuntimeCommon.h"],
    "NvInfer.h": ["NvInferLegacyDims.h", "NvInferRuntime.h"],
    "NvInferPlugin.h": ["NvInfer.h", "NvInferPluginUtils.h"],
    "NvInferPluginUtils.h": ["NvInferRuntimeCommon.h"],
    "NvOnnxConfig.h": ["NvInfer.h"],
    "NvOnnxParser.h": ["NvInfer.h", "<cstddef>", "<cstdint>", "<utility>", "<vector>"],
}


def doc(text: str, indent: str = "") -> str:
    return f"{indent}//! {text}\n"


def indent_block(body: str, level: int) -> str:
    pad = IND * level
    return "".join((pad + ln if ln.strip() else "") + "\n" for ln in body.splitlines())


def deprecated_call_wrap(lines: str) -> str:
    """Wrap code that deliberately calls a deprecated function."""
    return (
        "#if defined(__GNUC__)\n#pragma GCC diagnostic push\n"
        "#pragma GCC diagnostic ignored \"-Wdeprecated-declarations\"\n#endif\n"
        + lines
        + "#if defined(__GNUC__)\n#pragma GCC diagnostic pop\n#endif\n"
    )


class Gen:
    def __init__(self, inv: Inventory):
        self.inv = inv
        self.vmap: dict[tuple[str, int], str] = {}  # (VClass, index) -> public method name
        self.vshell: dict[str, str] = {}  # VClass -> public shell class
        for q in inv.class_order:
            c = inv.classes[q]
            if c.impl_class:
                self.vshell[c.impl_class] = c.name
        self.enum_names = {e.name for e in inv.enums.values() if e.ns == "nvinfer1"}
        self.onnx_names = {inv.classes[q].name for q in inv.class_order if q.startswith("nvonnxparser::")}
        self.onnx_names |= {e.name for e in inv.enums.values() if e.ns == "nvonnxparser"}
        self.onnx_names |= {"OnnxParserFlags"}
        self.nv_names = {inv.classes[q].name for q in inv.class_order if inv.classes[q].ns == "nvinfer1"}
        self.nv_names |= self.enum_names | {
            "Dims", "AsciiChar", "char_t", "PluginFormat", "AllocatorFlags", "TensorFormats",
            "TacticSources", "BuilderFlags", "NetworkDefinitionCreationFlags", "QuantizationFlags",
            "TempfileControlFlags", "ResizeMode", "SliceMode", "IPluginFactory", "IPlugin",
        }
        self.reference_pure: list[str] = []

    # ---- names ----------------------------------------------------------------------
    def class_key(self, name: str) -> str:
        return CLASS_KEYS.get(name, "class" if name.startswith("I") or name.startswith("V") else "struct")

    def qualify(self, t: str, prefer_onnx: bool) -> str:
        def rep(m):
            start, word = m.start(), m.group(0)
            if start >= 2 and t[start - 2 : start] == "::":
                return word
            if t[m.end() : m.end() + 2] == "::":
                return word
            if prefer_onnx and word in self.onnx_names:
                return "nvonnxparser::" + word
            if word in self.nv_names:
                return "nvinfer1::" + word
            if word in self.onnx_names:
                return "nvonnxparser::" + word
            return word

        return re.sub(r"[A-Za-z_]\w*", rep, t)

    # ---- enums ----------------------------------------------------------------------
    def emit_enum(self, e: EnumDef, ind: int) -> str:
        pad = IND * ind
        out = doc(ENUM_DOCS.get(e.name, f"Values of {e.name}."), pad)
        out += f"{pad}enum class {e.name} : {e.underlying}\n{pad}{{\n"
        for n, v, dep in e.values:
            attr = " TRT_DEPRECATED_ENUM" if dep else ""
            out += f"{pad}{IND}{n}{attr} = {v},\n"
        out += f"{pad}}};\n"
        return out

    def emit_enum_max(self, e: EnumDef, scoped_name: str) -> str:
        if e.enum_max is None:
            return ""
        if e.ns == "nvonnxparser":
            return (f"template <>\nconstexpr inline int32_t EnumMax<{scoped_name}>() noexcept\n"
                    f"{{\n{IND}return {e.enum_max};\n}}\n")
        return (f"namespace impl\n{{\ntemplate <>\nstruct EnumMaxImpl<{scoped_name}>\n{{\n"
                f"{IND}static constexpr int32_t kVALUE = {e.enum_max};\n}};\n}} // namespace impl\n")

    def enums_of(self, header: str, ns: str = "nvinfer1") -> list[EnumDef]:
        return [self.inv.enums[q] for q in self.inv.enum_order
                if self.inv.enums[q].header == header and self.inv.enums[q].ns == ns]

    def emit_enums(self, header: str, ns: str = "nvinfer1") -> str:
        out = ""
        for e in self.enums_of(header, ns):
            out += self.emit_enum(e, 0) + "\n"
            em = self.emit_enum_max(e, e.name)
            out += em + "\n" if em else ""
        return out

    # ---- value classes -----------------------------------------------------------------
    def emit_value_class(self, c: ClassInfo) -> str:
        key = self.class_key(c.name)
        base = f" : public {c.bases[0]}" if c.bases else ""
        out = doc(CLASS_DOCS.get(c.name, f"{c.name}."))
        out += f"{key} {c.name}{base}\n{{\n"
        if key == "class":
            out += "public:\n"
        for t, n, arr in c.data:
            if t.startswith("static constexpr"):
                val = self.inv.constants.get(f"{c.name}::{n}")
                if val is None:
                    fail(f"no value for {c.name}::{n}")
                out += f"{IND}{t} {n}{{{val}}};\n"
            else:
                if arr == "[8]" and c.name in MAX_DIMS_ARRAYS:
                    arr = f"[{MAX_DIMS_ARRAYS[c.name]}]"
                out += f"{IND}{t} {n}{arr};\n"
        for sig, dep, _ in c.members:
            key2 = f"{c.name}::{sig.name}/{len(sig.params)}"
            if key2 not in BODIES:
                fail(f"no body for value-class member {key2}")
            body = BODIES[key2]
            init = ""
            lines = body.splitlines()
            if lines and lines[0].startswith("@init "):
                init = " : " + lines[0][6:]
                lines = lines[1:]
            ret = sig.ret + " " if sig.ret else ""
            out += f"{IND}{ret}{sig.name}({sig.params_decl()}){sig.quals()}{init}\n{IND}{{\n"
            out += indent_block("\n".join(lines), 2)
            out += f"{IND}}}\n"
        out += "};\n"
        return out

    # ---- user/abstract interfaces (section 3) --------------------------------------------
    def emit_interface(self, c: ClassInfo) -> str:
        bases = ", ".join(("public " + b if not b.startswith("public ") else b) for b in c.bases)
        out = doc(CLASS_DOCS.get(c.name, f"{c.name}."))
        out += f"class {c.name}{' : ' + bases if bases else ''}\n{{\n"
        access = None

        def set_access(a):
            nonlocal out, access
            if a != access:
                out += ("" if access is None or out.endswith("\n\n") else "\n") + f"{a}:\n"
                access = a

        # member types first (they are used by the method signatures)
        set_access("public")
        for mt in c.member_types:
            if mt.startswith("enum:"):
                e = self.inv.enums[f"{c.qname}::{mt[5:]}"]
                out += self.emit_enum(e, 1)
            elif mt.startswith("typedef "):
                p = parse_param(mt[len("typedef ") :])
                out += f"{IND}using {p.name} = {p.type};\n"
            else:
                p = parse_param(mt)
                val = self.inv.constants.get(f"{c.name}::{p.name}")
                if val is None:
                    fail(f"no value for {c.name}::{p.name}")
                t = p.type.replace(" const", "")
                out += f"{IND}static constexpr {t} {p.name}{{{val}}};\n"
        for td in self.inv.member_typedefs.get(c.qname, []):
            out += f"{IND}{td}\n"
        if c.member_types or c.qname in self.inv.member_typedefs:
            out += "\n"

        for sig, flags in c.vmethods:
            set_access("protected" if "protected" in flags else "private" if "private" in flags else "public")
            dep = "dep" in flags
            pad = IND
            mdoc = METHOD_DOCS.get(f"{c.name}::{sig.name}")
            if sig.is_dtor:
                tail = " = default;"  # defaulted or empty in the inventory: same meaning
                if sig.override:
                    out += f"{pad}~{c.name}(){' noexcept' if sig.noexcept else ''} override{tail}\n"
                else:
                    out += f"{pad}virtual ~{c.name}(){' noexcept' if sig.noexcept else ''}{tail}\n"
                continue
            if mdoc:
                out += doc(mdoc, pad)
            prefix = "TRT_DEPRECATED " if dep else ""
            virt = "" if (sig.override or sig.final) else "virtual "
            if sig.pure:
                out += (f"{pad}{prefix}{virt}{sig.ret} {sig.name}({sig.params_decl()})"
                        f"{sig.quals()} = 0;\n")
                continue
            key = f"{c.name}::{sig.name}/{len(sig.params)}"
            if key not in BODIES:
                fail(f"no default body for non-pure virtual {key}")
            body = BODIES[key]
            wrap = body.startswith("@deprecated-call\n")
            if wrap:
                body = body[len("@deprecated-call\n") :]
            text = (f"{pad}{prefix}{virt}{sig.ret} {sig.name}({sig.params_decl(used=body)}){sig.quals()}\n"
                    f"{pad}{{\n" + indent_block(body, 2) + f"{pad}}}\n")
            out += deprecated_call_wrap(text) if wrap else text
        # special members
        for sig, prot in c.special:
            set_access("protected" if prot else "public")
            ptxt = sig.params_decl()
            tail = " = default;" if sig.defaulted else " = delete;" if sig.deleted else ";"
            if sig.name.startswith("operator"):
                out += f"{IND}{sig.ret} operator=({ptxt}){sig.quals()}{tail}\n"
            else:
                out += f"{IND}{c.name}({ptxt}){sig.quals()}{tail}\n"
        out += "};\n"
        return out

    # ---- pImpl shells -------------------------------------------------------------------------
    def map_to_v(self, c: ClassInfo, sig: Sig) -> tuple[str, list[str]]:
        """Return (V method name, argument list) the shell method forwards to."""
        impl = c.impl_class
        v = self.inv.vclasses[impl]
        args = [p.name for p in sig.params]
        if any(not a for a in args):
            fail(f"{c.name}::{sig.name}: unnamed parameter in shell method")
        cands = [(sig.name, len(args), args), (sig.name + "V2", len(args), args),
                 (sig.name, len(args) + 1, args + ["nullptr"])]
        for name, arity, a in cands:
            for i, m in enumerate(v.methods):
                if m.name == name and len(m.params) == arity:
                    self.vmap[(impl, i)] = sig.name
                    return name, a
        fail(f"{c.name}::{sig.name}/{len(args)}: no matching method in {impl}")

    def emit_shell(self, c: ClassInfo) -> str:
        base = c.bases[0]
        out = doc(CLASS_DOCS.get(c.name) or self.layer_doc(c.name) or f"{c.name}.")
        if c.deprecated:
            out += doc("Deprecated in TensorRT 8.6; kept for source compatibility.")
        out += doc(f"Library-owned; methods forward to the implementation object ({c.impl_member}).")
        out += f"class {c.name} : public {base}\n{{\n"
        if any(s for s, _, _ in c.members):
            out += "public:\n"
        has_public_dtor = False
        for sig, dep, _ in c.members:
            if sig.is_dtor:
                out += f"{IND}virtual ~{c.name}() noexcept = default;\n\n"
                has_public_dtor = True
                continue
            mdoc = METHOD_DOCS.get(f"{c.name}::{sig.name}")
            if mdoc:
                out += doc(mdoc, IND)
            prefix = "TRT_DEPRECATED " if dep else ""
            virt = "virtual " if sig.virtual else ""
            head = f"{IND}{prefix}{virt}{sig.ret} {sig.name}({sig.params_decl()}){sig.quals()}\n"
            if sig.name == "destroy" and not sig.params:
                body = "delete this;"
            else:
                vname, args = self.map_to_v(c, sig)
                call = f"{c.impl_member}->{vname}({', '.join(args)})"
                body = f"{call};" if sig.ret == "void" else f"return {call};"
            out += head + f"{IND}{{\n{IND * 2}{body}\n{IND}}}\n"
        out += ("\n" if c.members else "") + "protected:\n"
        if not has_public_dtor and c.name not in NO_DTOR_REDECL:
            out += f"{IND}virtual ~{c.name}() noexcept = default;\n"
        out += f"{IND}apiv::{c.impl_class}* {c.impl_member};\n"
        out += "};\n"
        return out

    def layer_doc(self, name: str) -> str | None:
        for value, lt, cls, created in self.inv.layers:
            if cls == name:
                made = re.sub(r"`", "", created)
                made = re.sub(r" \(dep\)", " (deprecated)", made)
                return f"Layer of type LayerType::{lt}.\n//! Created by {made}."
        return None

    # ---- apiv ---------------------------------------------------------------------------------
    def emit_vclass(self, v: VClass) -> str:
        shell = self.vshell.get(v.name, "I" + v.name[1:])
        out = doc(f"Implementation interface behind {shell}.")
        out += f"class {v.name} : public VRoot\n{{\npublic:\n"
        for m in v.methods:
            out += f"{IND}virtual {m.ret} {m.name}({m.params_decl()}){m.quals()} = 0;\n"
        out += "};\n"
        return out

    # ---- defaults -------------------------------------------------------------------------------
    def neutral(self, ret: str, onnx: bool) -> str | None:
        t = ret.replace("nvinfer1::", "").replace("nvonnxparser::", "")
        t = re.sub(r"\bconst\b", "", t).strip()
        if t == "void":
            return ""
        if "*" in t or t in ("cudaStream_t", "cudaEvent_t", "PluginLibraryHandle"):
            return "return nullptr;"
        if t == "bool":
            return "return false;"
        if t in ("int32_t", "int64_t", "uint32_t", "uint64_t", "size_t", "std::size_t", "float",
                 "double", "int", "TacticSources", "TensorFormats", "BuilderFlags", "QuantizationFlags",
                 "TempfileControlFlags", "NetworkDefinitionCreationFlags", "OnnxParserFlags",
                 "RefCount", "Verbosity"):
            return "return 0;"
        q = self.qualify(t, onnx)
        if t in self.enum_names or t in ("ResizeMode", "SliceMode", "PluginFormat") or (onnx and t in self.onnx_names):
            return f"return static_cast<{q}>(0);"
        if t in ("Dims", "Dims32", "DimsHW", "Dims2", "Dims3", "Dims4"):
            return f"{q} result{{}};\nresult.nbDims = -1;\nreturn result;"
        if t == "Weights":
            return "return nvinfer1::Weights{nvinfer1::DataType::kFLOAT, nullptr, 0};"
        if t == "Permutation":
            return "return nvinfer1::Permutation{};"
        return None

    def emit_defaults_class(self, cname: str, base: str, public_name: str, methods: list[tuple[int, Sig]],
                            vname: str | None, onnx: bool) -> tuple[str, bool]:
        out = doc(f"Stubs every pure method of {base}; override what is implemented.")
        out += f"class {cname} : public {base}\n{{\npublic:\n"
        complete = True
        for i, m in methods:
            if not m.pure and vname is None:
                continue
            ret = self.qualify(m.ret, onnx)
            mname = self.vmap.get((vname, i), m.name) if vname else m.name
            label = f"{public_name}::{mname}"
            if m.ret.endswith("&"):
                complete = False
                self.reference_pure.append(f"{base}::{m.name} ({ret})")
                out += f"{IND}// {m.name}() returns a reference: left pure.\n"
                continue
            body = self.neutral(m.ret, onnx)
            if body is None:
                fail(f"no neutral value for return type {m.ret!r} ({label})")
            report = f"{IND * 2}nvtrt::reportUnimplemented(\"{label}\");\n"
            if public_name == "IParser" and m.name == "destroy":
                body, report = "delete this;", ""
            params = ", ".join(
                Param(self.qualify(p.type, onnx), p.name, p.array).decl(False, False) for p in m.params
            )
            quals = (" const" if m.const else "") + (" noexcept" if m.noexcept else "") + " override"
            out += f"{IND}{ret} {m.name}({params}){quals}\n{IND}{{\n"
            out += report + indent_block(body, 2)
            out += f"{IND}}}\n"
        out += "};\n"
        return out, complete


NO_DTOR_REDECL = {"IOneHotLayer"}
# fixed-size arrays whose bound is the shape capacity (8)
MAX_DIMS_ARRAYS = {"Dims32": "MAX_DIMS", "DimsExprs": "Dims::MAX_DIMS", "Permutation": "Dims::MAX_DIMS"}


# ----------------------------------------------------------------------------------------
# Header assembly
# ----------------------------------------------------------------------------------------


def open_header(name: str) -> str:
    guard = GUARDS[name]
    out = BANNER.format(file=name, purpose=HEADER_PURPOSE[name]) + "\n"
    out += f"#ifndef {guard}\n#define {guard}\n\n"
    incs = INCLUDES[name]
    for inc in incs:
        out += f"#include {inc}\n" if inc.startswith("<") else f"#include \"{inc}\"\n"
    if incs:
        out += "\n"
    return out


def close_header(name: str) -> str:
    return f"#endif // {GUARDS[name]}\n"


def classes_in(inv: Inventory, header: str) -> list[ClassInfo]:
    return [inv.classes[q] for q in inv.class_order if inv.classes[q].header == header]


def emit_class(g: Gen, c: ClassInfo) -> str:
    if c.kind == "LIB pImpl":
        return g.emit_shell(c)
    if c.kind.startswith("plain"):
        return g.emit_value_class(c)
    if c.kind in ("USER virtual", "LIB pure-virtual (no pImpl)"):
        return g.emit_interface(c)
    if c.name == "INoCopy":
        return (doc(CLASS_DOCS["INoCopy"]) + "class INoCopy\n{\nprotected:\n"
                f"{IND}INoCopy() = default;\n{IND}virtual ~INoCopy() = default;\n"
                f"{IND}INoCopy(INoCopy const& other) = delete;\n"
                f"{IND}INoCopy& operator=(INoCopy const& other) = delete;\n"
                f"{IND}INoCopy(INoCopy&& other) = delete;\n"
                f"{IND}INoCopy& operator=(INoCopy&& other) = delete;\n}};\n")
    if c.name == "PluginRegistrar":
        return (doc(CLASS_DOCS["PluginRegistrar"]) + "template <typename T>\nclass PluginRegistrar\n{\npublic:\n"
                f"{IND}PluginRegistrar()\n{IND}{{\n{IND * 2}getPluginRegistry()->registerCreator(instance, \"\");\n"
                f"{IND}}}\n\nprivate:\n{IND}//! The registered creator; lives as long as the registrar.\n"
                f"{IND}T instance{{}};\n}};\n")
    fail(f"unhandled class kind {c.kind} for {c.qname}")


def body_of(g: Gen, header: str, ns: str = "nvinfer1", skip=()) -> str:
    out = ""
    for c in classes_in(g.inv, header):
        if c.ns != ns or c.name in skip:
            continue
        out += emit_class(g, c) + "\n"
        # EnumMax of nested enums comes right after their class
        for mt in c.member_types:
            if mt.startswith("enum:"):
                e = g.inv.enums[f"{c.qname}::{mt[5:]}"]
                out += g.emit_enum_max(e, f"{c.name}::{e.name}") + "\n"
    return out


def gen_version(inv: Inventory) -> str:
    s0 = find_section(sections(inv.text), "0.")
    m = re.search(r"MAJOR (\d+), MINOR (\d+), PATCH (\d+), BUILD (\d+)", s0)
    major, minor, patch, build = m.groups()
    name = "NvInferVersion.h"
    out = open_header(name)
    out += f"""//! Release numbers of the API this library implements.
#define NV_TENSORRT_MAJOR {major}
#define NV_TENSORRT_MINOR {minor}
#define NV_TENSORRT_PATCH {patch}
#define NV_TENSORRT_BUILD {build}

//! Lightweight-safety release numbers (unused, always zero).
#define NV_TENSORRT_LWS_MAJOR 0
#define NV_TENSORRT_LWS_MINOR 0
#define NV_TENSORRT_LWS_PATCH 0

//! Shared-object version numbers (deprecated; use the NV_TENSORRT_MAJOR family).
#define NV_TENSORRT_SONAME_MAJOR {major}
#define NV_TENSORRT_SONAME_MINOR {minor}
#define NV_TENSORRT_SONAME_PATCH {patch}

//! Release types; NV_TENSORRT_RELEASE_TYPE is one of them.
#define NV_TENSORRT_RELEASE_TYPE_EARLY_ACCESS 0
#define NV_TENSORRT_RELEASE_TYPE_RELEASE_CANDIDATE 1
#define NV_TENSORRT_RELEASE_TYPE_GENERAL_AVAILABILITY 2
#define NV_TENSORRT_RELEASE_TYPE NV_TENSORRT_RELEASE_TYPE_GENERAL_AVAILABILITY

"""
    return out + close_header(name)


def gen_runtime_base(g: Gen) -> str:
    inv = g.inv
    name = "NvInferRuntimeBase.h"
    out = open_header(name)
    out += """// ---- Portability macros --------------------------------------------------------------

//! Marks the library's exported C entry points.
#ifndef TENSORRTAPI
#if defined(_MSC_VER)
#if defined(TENSORRT_BUILD_LIB)
#define TENSORRTAPI __declspec(dllexport)
#else
#define TENSORRTAPI __declspec(dllimport)
#endif
#else
#define TENSORRTAPI __attribute__((visibility("default")))
#endif
#endif

//! Marks an API element that is deprecated in this release.
#if __cplusplus >= 201402L
#define TRT_DEPRECATED [[deprecated]]
#elif defined(_MSC_VER)
#define TRT_DEPRECATED __declspec(deprecated)
#else
#define TRT_DEPRECATED __attribute__((deprecated))
#endif

//! Marks a deprecated enumerator (attribute on enumerators needs C++17).
#if __cplusplus >= 201703L
#define TRT_DEPRECATED_ENUM [[deprecated]]
#else
#define TRT_DEPRECATED_ENUM
#endif

//! Deprecated exported function.
#define TRT_DEPRECATED_API TRT_DEPRECATED TENSORRTAPI

//! Historical exception-specification macro; expands to nothing.
#define TRTNOEXCEPT

//! Library version as one number: major * 1000 + minor * 100 + patch.
#define NV_TENSORRT_VERSION nvinfer1::kNV_TENSORRT_VERSION_IMPL

// ---- CUDA handle types, declared the way the CUDA runtime declares them -------------------
// Repeating an identical typedef is valid C++, so including cuda_runtime_api.h before or
// after this header is fine; no CUDA header is needed to use this library.
struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;
struct CUevent_st;
typedef struct CUevent_st* cudaEvent_t;

// Opaque library handles passed to plugins (IPluginV2Ext::attachToContext).
struct cublasContext;
struct cudnnContext;

//! Version number of the loaded library (same encoding as NV_TENSORRT_VERSION).
extern "C" TENSORRTAPI int32_t getInferLibVersion() noexcept;

namespace nvinfer1
{

"""
    out += "//! Compile-time copy of NV_TENSORRT_VERSION.\n"
    out += ("static constexpr int32_t kNV_TENSORRT_VERSION_IMPL\n"
            f"{IND}= (NV_TENSORRT_MAJOR * 1000) + (NV_TENSORRT_MINOR * 100) + NV_TENSORRT_PATCH;\n\n")
    out += "//! Plain character type used for names and messages.\nusing char_t = char;\n"
    out += "//! Character type of ASCII strings in the API.\nusing AsciiChar = char_t;\n\n"
    out += ("namespace impl\n{\n//! Number of enumerators of an API enum; specialised next to each enum.\n"
            "template <typename T>\nstruct EnumMaxImpl;\n} // namespace impl\n\n")
    out += ("//! Number of values of the API enum T (one past the largest regular enumerator).\n"
            "template <typename T>\nconstexpr int32_t EnumMax() noexcept\n{\n"
            f"{IND}return impl::EnumMaxImpl<T>::kVALUE;\n}}\n\n")
    out += g.emit_enums(name)
    out += "//! Bit set of AllocatorFlag values (bit i = 1U << i).\nusing AllocatorFlags = uint32_t;\n\n"
    dims = inv.classes["nvinfer1::Dims32"]
    out += g.emit_value_class(dims) + "\n"
    out += "//! The shape type used throughout the API.\nusing Dims = Dims32;\n\n"
    out += body_of(g, name, skip=("Dims32",))
    out += "} // namespace nvinfer1\n\n"
    return out + close_header(name)


def gen_runtime_plugin(g: Gen) -> str:
    name = "NvInferRuntimePlugin.h"
    out = open_header(name)
    out += "namespace nvinfer1\n{\n\n"
    out += "//! Tensor format as seen by plugins.\nusing PluginFormat = TensorFormat;\n\n"
    out += g.emit_enums(name)
    out += body_of(g, name)
    out += "} // namespace nvinfer1\n\n"
    return out + close_header(name)


def gen_runtime_common(g: Gen) -> str:
    name = "NvInferRuntimeCommon.h"
    out = open_header(name)
    out += "namespace nvinfer1\n{\n\n"
    out += g.emit_enums(name)
    out += body_of(g, name)
    out += "} // namespace nvinfer1\n\n"
    return out + close_header(name)


def gen_legacy_dims(g: Gen) -> str:
    name = "NvInferLegacyDims.h"
    out = open_header(name)
    out += "namespace nvinfer1\n{\n\n"
    out += body_of(g, name)
    out += "} // namespace nvinfer1\n\n"
    return out + close_header(name)


def gen_impl(g: Gen) -> str:
    inv = g.inv
    name = "NvInferImpl.h"
    out = open_header(name)
    out += "namespace nvinfer1\n{\n\n// ---- Forward declarations ----\n"
    used = set()
    for vn in inv.vorder:
        for m in inv.vclasses[vn].methods:
            text = m.ret + " " + " ".join(p.type for p in m.params)
            used |= set(re.findall(r"[A-Za-z_]\w*", text))
    fwd_classes = []
    for q in inv.class_order:
        c = inv.classes[q]
        if c.ns == "nvinfer1" and c.name in used:
            fwd_classes.append(c.name)
    for extra in ("IPlugin", "IPluginFactory"):
        if extra in used:
            fwd_classes.append(extra)
    for n in fwd_classes:
        out += f"{g.class_key(n)} {n};\n"
    out += "\n"
    for q in inv.enum_order:
        e = inv.enums[q]
        if e.ns == "nvinfer1" and e.header in ("NvInferRuntime.h", "NvInfer.h"):
            out += f"enum class {e.name} : {e.underlying};\n"
    out += """
//! Bit sets of the matching flag enums (bit i = 1U << i).
using TacticSources = uint32_t;
using TensorFormats = uint32_t;
using BuilderFlags = uint32_t;
using NetworkDefinitionCreationFlags = uint32_t;
using QuantizationFlags = uint32_t;
using TempfileControlFlags = uint32_t;

//! Older names of two enums.
using ResizeMode = InterpolationMode;
using SliceMode = SampleMode;

//! Implementation interfaces.  Each public library class holds a pointer to one of these and
//! forwards its calls; the method order of every class below is part of the binary contract.
namespace apiv
{

//! Common root: only a virtual destructor.
class VRoot
{
public:
    virtual ~VRoot() noexcept = default;
};

"""
    for vn in inv.vorder:
        out += g.emit_vclass(inv.vclasses[vn]) + "\n"
    out += "} // namespace apiv\n} // namespace nvinfer1\n\n"
    return out + close_header(name)


def gen_runtime(g: Gen) -> str:
    name = "NvInferRuntime.h"
    out = open_header(name)
    out += """// ---- Exported entry points -----------------------------------------------------------------
extern "C"
{
//! Creates an IRuntime (use nvinfer1::createInferRuntime instead).
TENSORRTAPI void* createInferRuntime_INTERNAL(void* logger, int32_t version) noexcept;
//! Creates an IRefitter (use nvinfer1::createInferRefitter instead).
TENSORRTAPI void* createInferRefitter_INTERNAL(void* engine, void* logger, int32_t version) noexcept;
//! The process-wide plugin registry.
TENSORRTAPI nvinfer1::IPluginRegistry* getPluginRegistry() noexcept;
//! The logger the library currently reports to.
TENSORRTAPI nvinfer1::ILogger* getLogger() noexcept;
}

namespace nvinfer1
{

class IPluginFactory;

"""
    out += g.emit_enums(name)
    out += body_of(g, name)
    out += """namespace // each translation unit gets its own copy
{
//! Creates a runtime that reports to `logger`; nullptr on failure.
inline IRuntime* createInferRuntime(ILogger& logger) noexcept
{
    return static_cast<IRuntime*>(createInferRuntime_INTERNAL(&logger, NV_TENSORRT_VERSION));
}

//! Creates a refitter for a refittable `engine`; nullptr on failure.
inline IRefitter* createInferRefitter(ICudaEngine& engine, ILogger& logger) noexcept
{
    return static_cast<IRefitter*>(createInferRefitter_INTERNAL(&engine, &logger, NV_TENSORRT_VERSION));
}
} // namespace

} // namespace nvinfer1

//! Registers plugin creator class `name` with the global registry when the binary loads.
#define REGISTER_TENSORRT_PLUGIN(name) \\
    static nvinfer1::PluginRegistrar<name> pluginRegistrar##name {}

"""
    return out + close_header(name)


def gen_infer(g: Gen) -> str:
    name = "NvInfer.h"
    out = open_header(name)
    out += """namespace nvinfer1
{

namespace safe
{
class IPluginRegistry;
} // namespace safe

"""
    out += g.emit_enums(name)
    out += body_of(g, name)
    out += """//! Plugin registry used by the builder for engines of the given capability.
extern "C" TENSORRTAPI nvinfer1::IPluginRegistry* getBuilderPluginRegistry(
    nvinfer1::EngineCapability capability) noexcept;

//! Safety-runtime plugin registry used by the builder (not provided by this library).
extern "C" TENSORRTAPI nvinfer1::safe::IPluginRegistry* getBuilderSafePluginRegistry(
    nvinfer1::EngineCapability capability) noexcept;

} // namespace nvinfer1

//! Creates an IBuilder (use nvinfer1::createInferBuilder instead).
extern "C" TENSORRTAPI void* createInferBuilder_INTERNAL(void* logger, int32_t version) noexcept;

namespace nvinfer1
{
namespace // each translation unit gets its own copy
{
//! Creates a builder that reports to `logger`; nullptr on failure.
inline IBuilder* createInferBuilder(ILogger& logger) noexcept
{
    return static_cast<IBuilder*>(createInferBuilder_INTERNAL(&logger, NV_TENSORRT_VERSION));
}
} // namespace
} // namespace nvinfer1

"""
    return out + close_header(name)


def gen_plugin(g: Gen) -> str:
    name = "NvInferPlugin.h"
    out = open_header(name)
    out += """//! Registers the standard plugin creators under namespace `libNamespace`;
//! `logger` is an nvinfer1::ILogger* (may be null).  Returns true on success.
extern "C" TENSORRTAPI bool initLibNvInferPlugins(void* logger, char const* libNamespace);

"""
    return out + close_header(name)


def gen_plugin_utils(g: Gen) -> str:
    name = "NvInferPluginUtils.h"
    out = open_header(name)
    out += "namespace nvinfer1\n{\nnamespace plugin\n{\n\n"
    out += g.emit_enums(name, "nvinfer1::plugin")
    out += body_of(g, name, "nvinfer1::plugin")
    out += "} // namespace plugin\n} // namespace nvinfer1\n\n"
    return out + close_header(name)


def gen_onnx_config(g: Gen) -> str:
    name = "NvOnnxConfig.h"
    out = open_header(name)
    out += "namespace nvonnxparser\n{\n\n"
    out += body_of(g, name, "nvonnxparser")
    out += ("//! Declared for source compatibility; this library does not provide it (the samples\n"
            "//! implement IOnnxConfig themselves).\n"
            "TENSORRTAPI IOnnxConfig* createONNXConfig();\n\n")
    out += "} // namespace nvonnxparser\n\n"
    return out + close_header(name)


def gen_onnx_parser(g: Gen) -> str:
    inv = g.inv
    name = "NvOnnxParser.h"
    s = find_section(sections(inv.text), "4.")
    m = re.search(r"`NV_ONNX_PARSER_VERSION` = (\d+)\*10000\+(\d+)\*100\+(\d+)", s)
    major, minor, patch = m.groups()
    out = open_header(name)
    out += f"""//! Version of the ONNX parser API.
#define NV_ONNX_PARSER_MAJOR {major}
#define NV_ONNX_PARSER_MINOR {minor}
#define NV_ONNX_PARSER_PATCH {patch}

//! Parser version as one number: major * 10000 + minor * 100 + patch.
static constexpr int32_t NV_ONNX_PARSER_VERSION
    = ((NV_ONNX_PARSER_MAJOR * 10000) + (NV_ONNX_PARSER_MINOR * 100) + NV_ONNX_PARSER_PATCH);

//! One subgraph: node indices and whether the parser supports it.
typedef std::pair<std::vector<size_t>, bool> SubGraph_t;
//! All subgraphs of a model (see IParser::supportsModel).
typedef std::vector<SubGraph_t> SubGraphCollection_t;

namespace nvonnxparser
{{

//! Number of values of the parser enum T.
template <typename T>
constexpr inline int32_t EnumMax() noexcept;

"""
    # NOTE: the inventory gives EnumMax 11 for nvonnxparser::ErrorCode although the enum has 9
    # enumerators (possibly a clash with nvinfer1::ErrorCode, whose EnumMax is 11).  Emitted as given.
    out += g.emit_enums(name, "nvonnxparser")
    out += "//! Bit set of OnnxParserFlag values (bit i = 1U << i).\nusing OnnxParserFlags = uint32_t;\n\n"
    out += body_of(g, name, "nvonnxparser")
    out += """} // namespace nvonnxparser

extern "C"
{
//! Creates an IParser (use nvonnxparser::createParser instead).
TENSORRTAPI void* createNvOnnxParser_INTERNAL(void* network, void* logger, int version);
//! Version of the loaded parser library (NV_ONNX_PARSER_VERSION encoding).
TENSORRTAPI int getNvOnnxParserVersion();
}

namespace nvonnxparser
{
namespace // each translation unit gets its own copy
{
//! Creates a parser that adds the imported model to `network`.
inline IParser* createParser(nvinfer1::INetworkDefinition& network, nvinfer1::ILogger& logger)
{
    return static_cast<IParser*>(createNvOnnxParser_INTERNAL(&network, &logger, NV_ONNX_PARSER_VERSION));
}
} // namespace
} // namespace nvonnxparser

"""
    return out + close_header(name)


def gen_v_defaults(g: Gen) -> str:
    inv = g.inv
    body = ""
    instantiable: list[str] = []
    for vn in inv.vorder:
        v = inv.vclasses[vn]
        shell = g.vshell.get(vn, "I" + vn[1:])
        cname = vn + "Defaults"
        text, complete = g.emit_defaults_class(cname, f"nvinfer1::apiv::{vn}", shell,
                                               list(enumerate(v.methods)), vn, False)
        body += text + "\n"
        if complete:
            instantiable.append(cname)
    extra = [("PluginRegistryDefaults", "nvinfer1::IPluginRegistry", False),
             ("LoggerFinderDefaults", "nvinfer1::ILoggerFinder", False),
             ("ParserDefaults", "nvonnxparser::IParser", True),
             ("ParserErrorDefaults", "nvonnxparser::IParserError", True)]
    for cname, qbase, onnx in extra:
        c = inv.classes[qbase]
        methods = [(i, s) for i, (s, _) in enumerate(c.vmethods) if not s.is_dtor]
        text, complete = g.emit_defaults_class(cname, qbase, c.name, methods, None, onnx)
        body += text + "\n"
        if complete:
            instantiable.append(cname)
    refs = "".join(f"//   {r}\n" for r in g.reference_pure)
    out = """// v_defaults.h: stub implementations of the library-side interfaces (bridge only).
//
// Generated by scripts/gen_headers.py from the project's API inventory; do not edit.
// Not installed.  For every nvinfer1::apiv::V* class, nvtrt::VXDefaults implements each
// pure method by reporting "not implemented" (nvtrt::reportUnimplemented) and returning a
// neutral value (nullptr, false, 0, enum value 0, Dims with nbDims == -1, empty Weights).
// The bridge derives from these and overrides what it implements.
//
// Methods returning a reference cannot be stubbed and stay pure:
""" + refs + """//
// Stub classes that can be instantiated as they are:
""" + "".join(f"//   nvtrt::{n}\n" for n in instantiable) + """
#ifndef NVTRT_BRIDGE_V_DEFAULTS_H
#define NVTRT_BRIDGE_V_DEFAULTS_H

#include "NvInfer.h"
#include "NvOnnxParser.h"

namespace nvtrt
{

//! Reports a call to an API method that this library does not implement (defined by the bridge).
void reportUnimplemented(char const* method) noexcept;

"""
    out += body
    out += "} // namespace nvtrt\n\n"
    out += "// Instantiable stub classes, as an X-macro list: NVTRT_V_DEFAULTS_INSTANTIABLE(X) -> X(Name) ...\n"
    out += "#define NVTRT_V_DEFAULTS_INSTANTIABLE(X) \\\n" + " \\\n".join(f"    X({n})" for n in instantiable) + "\n\n"
    out += "#endif // NVTRT_BRIDGE_V_DEFAULTS_H\n"
    return out


MAX_LINE = 110


def wrap_line(line: str) -> str:
    """Break an over-long declaration after top-level commas of its first parameter list."""
    if len(line) <= MAX_LINE or line.lstrip().startswith(("//", "#")) or "(" not in line:
        return line
    p = line.index("(")
    depth = 0
    for q in range(p, len(line)):
        depth += {"(": 1, ")": -1}.get(line[q], 0)
        if depth == 0:
            break
    else:
        return line
    parts = split_top(line[p + 1 : q])
    if len(parts) < 2:
        return line
    cont = " " * (len(line) - len(line.lstrip()) + 4)
    lines, cur, tail = [], line[: p + 1] + parts[0], line[q:]
    for i, part in enumerate(parts[1:], 2):
        extra = len(tail) if i == len(parts) else 1
        if len(cur) + 2 + len(part) + extra <= MAX_LINE:
            cur += ", " + part
        else:
            lines.append(cur + ",")
            cur = cont + part
    lines.append(cur + tail)
    return "\n".join(lines)


def wrap_text(text: str) -> str:
    return "\n".join(wrap_line(ln) for ln in text.split("\n"))


def generate(inv: Inventory) -> dict[str, str]:
    g = Gen(inv)
    files = {}
    files["include/NvInferVersion.h"] = gen_version(inv)
    files["include/NvInferRuntimeBase.h"] = gen_runtime_base(g)
    files["include/NvInferRuntimePlugin.h"] = gen_runtime_plugin(g)
    files["include/NvInferRuntimeCommon.h"] = gen_runtime_common(g)
    files["include/NvInferLegacyDims.h"] = gen_legacy_dims(g)
    files["include/NvInferImpl.h"] = gen_impl(g)
    files["include/NvInferRuntime.h"] = gen_runtime(g)
    files["include/NvInfer.h"] = gen_infer(g)
    files["include/NvInferPlugin.h"] = gen_plugin(g)
    files["include/NvInferPluginUtils.h"] = gen_plugin_utils(g)
    files["include/NvOnnxConfig.h"] = gen_onnx_config(g)
    files["include/NvOnnxParser.h"] = gen_onnx_parser(g)
    files["src/bridge/generated/v_defaults.h"] = gen_v_defaults(g)
    return {k: wrap_text(v) for k, v in files.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inventory", type=Path, default=DEFAULT_INVENTORY)
    ap.add_argument("--check", action="store_true", help="verify files on disk are up to date")
    args = ap.parse_args()
    try:
        inv = parse_inventory(args.inventory)
        check_counts(inv)
        files = generate(inv)
    except InventoryError as e:
        print(f"gen_headers: {e}", file=sys.stderr)
        return 2
    drift = []
    for rel, text in files.items():
        path = REPO / rel
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                drift.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    if drift:
        print("gen_headers: out of date: " + ", ".join(drift), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
