#!/usr/bin/env python3
"""Checks the layer rule of DESIGN.md on the includes of every C++ file in the repository.

- isa/ includes nothing of ours but isa/; compiler/ and sim/ include isa/ and themselves only,
  never each other; runtime/ never includes cli/ or python/.
- The plain folders of sim/ (and isa/, compiler/) never reach SystemC or TLM, directly or through
  any header they include.
Prints one line per violation and exits 1 if there is any.
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PLAIN = ("isa/", "compiler/", "sim/config/", "sim/timing/", "sim/semantics/", "sim/checks/",
         "sim/io/", "sim/collective/")
ALLOWED = {  # layer -> the layers its files may include
    "isa": {"isa"},
    "compiler": {"isa", "compiler"},
    "sim": {"isa", "sim"},
    "runtime": {"isa", "compiler", "sim", "runtime"},
    "python": {"isa", "compiler", "sim", "runtime", "python"},
}
SYSTEMC = re.compile(r'#include\s*<(systemc|tlm)')
QUOTED = re.compile(r'#include\s*"([^"]+)"')


def tracked_sources():
    out = subprocess.run(["git", "ls-files", "*.h", "*.cpp"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.split()
    return [p for p in out if p.split("/")[0] in ALLOWED]


def main():
    files = tracked_sources()
    text = {p: (ROOT / p).read_text() for p in files}
    includes = {p: QUOTED.findall(t) for p, t in text.items()}
    direct_systemc = {p for p, t in text.items() if SYSTEMC.search(t)}
    problems = []
    for path, incs in includes.items():
        layer = path.split("/")[0]
        for inc in incs:
            if inc.split("/")[0] not in ALLOWED[layer] and inc in text:
                problems.append(f"{path}: includes {inc}, but {layer}/ may use only "
                                f"{', '.join(sorted(ALLOWED[layer]))}")
    reaches = {}

    def reaches_systemc(path, seen):
        if path in reaches:
            return reaches[path]
        if path in seen:
            return None
        seen.add(path)
        via = path if path in direct_systemc else None
        for inc in includes.get(path, []):
            if via is None and inc in text and reaches_systemc(inc, seen):
                via = reaches_systemc(inc, seen)
        reaches[path] = via
        return via

    for path in files:
        if path.startswith(PLAIN):
            via = reaches_systemc(path, set())
            if via:
                problems.append(f"{path}: a plain-C++ folder, but reaches SystemC through {via}")
    for p in problems:
        print(p)
    print(f"check_layers: {len(files)} files, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
