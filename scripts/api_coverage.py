#!/usr/bin/env python3
"""Which TensorRT 8.6 methods of INetworkDefinition, the layer classes (ILayer, I*Layer,
ILoop, IIfConditional and their boundary layers) and the ONNX parser (IParser, IParserError)
still fall through to the generated "not implemented" defaults.

Every interface method has a default in src/bridge/generated/v_defaults.h that reports
"<Class>::<method> is not implemented yet". A bridge class implements a method when it (or a
base class of its own, below the defaults) declares an override of it. This script reads the
defaults and the bridge's class declarations (headers and .cpp files), lists the methods no concrete class overrides,
and compares them with api/unimplemented.txt (one "IClass::method  reason" per line): any
method missing from that list, or listed but now implemented, is an error.

Usage: python3 scripts/api_coverage.py [--all]   (--all: every interface, for information)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BRIDGE = REPO / "src" / "bridge"
DEFAULTS = BRIDGE / "generated" / "v_defaults.h"
ALLOWLIST = REPO / "api" / "unimplemented.txt"

CLASS_RE = re.compile(r"\bclass\s+(\w+)(?:\s+final)?\s*:\s*([^{;]+)\{")
# IParser's methods are not noexcept in TensorRT 8.6; most others are.
OVERRIDE_RE = re.compile(r"\b(\w+)\s*\([^;{}]*\)\s*(?:const\s*)?(?:noexcept\s*)?override")
UNIMPLEMENTED_RE = re.compile(r'reportUnimplemented\("(\w+)::(\w+)"\)')


def class_bodies(text: str):
    """(name, bases, body) of every class definition in `text`."""
    for m in CLASS_RE.finditer(text):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        bases = [b.strip().split()[-1].split("<")[0].split("::")[-1] for b in m.group(2).split(",")]
        yield m.group(1), bases, text[m.end() : i]


def inline_includes(text: str, folder: Path) -> str:
    """Pastes the .inc files a class body includes (the generated add* declarations)."""
    return re.sub(r'#include\s+"([^"]+\.inc)"', lambda m: (folder / m.group(1)).read_text(), text)


def main() -> int:
    show_all = "--all" in sys.argv
    defaults: dict[str, tuple[str, list[str]]] = {}
    for name, _, body in class_bodies(DEFAULTS.read_text()):
        methods = UNIMPLEMENTED_RE.findall(body)
        if methods:
            defaults[name] = (methods[0][0], sorted({m for _, m in methods}))
    classes: dict[str, tuple[list[str], set[str]]] = {}
    for path in sorted([*BRIDGE.rglob("*.h"), *BRIDGE.rglob("*.cpp")]):
        if path == DEFAULTS:
            continue
        # Line comments go first: their parentheses would confuse OVERRIDE_RE.
        text = re.sub(r"//[^\n]*", "", inline_includes(path.read_text(), path.parent))
        for name, bases, body in class_bodies(text):
            classes[name] = (bases, set(OVERRIDE_RE.findall(body)))

    def implemented_below(cls: str, default: str, seen=()) -> set[str] | None:
        """Methods `cls` and its bases down to `default` override; None if not above it."""
        if cls == default:
            return set()
        if cls not in classes or cls in seen:
            return None
        bases, own = classes[cls]
        found = [implemented_below(b, default, seen + (cls,)) for b in bases]
        found = [f for f in found if f is not None]
        return own | set().union(*found) if found else None

    def in_scope(interface: str) -> bool:
        scoped = ("INetworkDefinition", "ILoop", "IIfConditional", "IParser", "IParserError")
        return show_all or interface in scoped or interface.endswith("Layer")

    missing = []
    total = 0
    for default, (interface, methods) in sorted(defaults.items()):
        if not in_scope(interface):
            continue
        total += len(methods)
        done: set[str] = set()
        for cls in classes:
            got = implemented_below(cls, default)
            if got is not None:
                done |= got
        missing += [f"{interface}::{m}" for m in methods if m not in done]

    listed = {}
    for line in ALLOWLIST.read_text().splitlines() if ALLOWLIST.exists() else []:
        if line.strip() and not line.startswith("#"):
            key, _, reason = line.partition(" ")
            listed[key] = reason.strip()
    unlisted = [m for m in missing if m not in listed]
    stale = [m for m in listed if m not in missing]
    print(f"api_coverage: {total - len(missing)} of {total} methods implemented; {len(missing)} not yet ({len(listed)} listed in {ALLOWLIST.relative_to(REPO)})")
    for m in missing if show_all else []:
        print(f"  not implemented: {m}")
    for m in unlisted:
        print(f"  ERROR {m} falls through to the not-implemented default but is not in {ALLOWLIST.name}")
    for m in stale:
        print(f"  ERROR {m} is implemented now: remove it from {ALLOWLIST.name}")
    return 1 if (unlisted or stale) and not show_all else 0


if __name__ == "__main__":
    sys.exit(main())
