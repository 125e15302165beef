#!/usr/bin/env python3
"""Checks that every citation a reader meets can be followed (docs/sources.md).

In the comments and string literals of sim/, compiler/, isa/, runtime/ and cli/ (C++), and in every
string of configs/**/*.json, a citation is [src:KEY] or [src:KEY, DETAIL] with KEY a key of
docs/sources.md. Reported, one line each (path:line: problem):
  - a [src:KEY] whose KEY docs/sources.md does not list;
  - a reference to a .md file that is not in the repository;
  - a private note named without .md (neuron-hardware, nki-isa-semantics, ...);
  - a label of those notes ([A2], [A-v2], [HW], [DRV], [L-ISA], ...) instead of a key;
  - a bare section number (§N) outside a [src:...] citation. A C++ string literal (a verifier
    message) may still carry a §N that docs/sources.md's "Section numbers in verifier messages"
    table lists.
Exits 1 if anything is reported. Python 3 standard library only.
"""

import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODE_DIRS = ("sim", "compiler", "isa", "runtime", "cli")
CONFIG_DIR = "configs"
SOURCES = "docs/sources.md"

CITATION = re.compile(r"\[src:([^,\]\s]*)([^\]]*)\]?")
SECTION = re.compile(r"§\s*[0-9]+(?:\.[0-9]+)*")
MD_FILE = re.compile(r"([A-Za-z0-9_./-]+\.md)\b")
PRIVATE_NOTES = re.compile(
    r"\b(neuron-hardware|nki-isa-semantics|nki-language\.md|prices-and-method|"
    r"gpu-reference|calibration\.md)\b")
OLD_LABELS = re.compile(
    r"\[(A[234]|A-v[234]|L-ISA|C-ISA|B-ISA|LEG|ISA|SDK|SHARED|[CL]-SH|[CL]-NL|TS|APS|DGE|DBW|"
    r"RND|DTY|NEFF|DMA(?: text| table)?|DRV(?: [a-z_/.]+)?|HW(?: [a-z0-9-]+)?|"
    r"(?:A2|A3|HW|DRV|DMA|DBW)(?:, ?[A-Za-z0-9 -]+)+)\]")


def load_sources():
    """The keys of docs/sources.md and the § numbers of its verifier-message table."""
    keys, sections = set(), set()
    in_sections = False
    with open(os.path.join(ROOT, SOURCES), encoding="utf-8") as f:
        for line in f:
            if line.startswith("## "):
                in_sections = line.startswith("## Section numbers")
            m = re.match(r"\|\s*`([a-z0-9][a-z0-9-]*)`\s*\|", line)
            if m:
                keys.add(m.group(1))
            m = re.match(r"\|\s*(§[0-9.]+)\s*\|", line)
            if m and in_sections:
                sections.add(m.group(1).rstrip("."))
    return keys, sections


def repo_files():
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
        files = set(out.stdout.split()) if out.returncode == 0 else set()
    except OSError:  # no git: the walk below finds the files
        files = set()
    for dirpath, dirs, names in os.walk(ROOT):  # new, not yet added files count too
        dirs[:] = [d for d in dirs if not d.startswith((".", "build"))]
        for n in names:
            files.add(os.path.relpath(os.path.join(dirpath, n), ROOT))
    return files


def split_cpp(text):
    """Yields (line, kind, text) for every comment ('comment') and string literal ('string')."""
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            yield line, "comment", text[i + 2:j]
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j
            for k, part in enumerate(text[i + 2:j].split("\n")):
                yield line + k, "comment", part
            line += text.count("\n", i, j)
            i = j + 2
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not text[i - 1].isalnum()):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                i += 1
                continue
            end = ")" + m.group(1) + '"'
            j = text.find(end, i + m.end())
            j = n if j < 0 else j
            for k, part in enumerate(text[i + m.end():j].split("\n")):
                yield line + k, "string", part
            line += text.count("\n", i, j)
            i = j + len(end)
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum())):
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if c == '"':
                yield line, "string", text[i + 1:j]
            i = j + 1
        else:
            i += 1


def check_text(path, line, kind, text, keys, sections, files, problems):
    def report(what):
        problems.append(f"{path}:{line}: {what}")

    spans = []
    for m in CITATION.finditer(text):
        spans.append(m.span())
        if kind == "string" and not m.group(1):
            continue  # "[src:" searched for in a string, not a citation
        if m.group(1) not in keys:
            report(f"[src:{m.group(1)}]: key not in {SOURCES}")
    outside = list(text)
    for a, b in spans:
        outside[a:b] = " " * (b - a)
    outside = "".join(outside)
    for m in SECTION.finditer(outside):
        if kind == "string" and m.group(0).replace(" ", "") in sections:
            continue
        report(f"bare section number '{m.group(0)}': cite [src:KEY, topic] ({SOURCES})")
    for m in MD_FILE.finditer(text):
        name = m.group(1)
        here = os.path.normpath(os.path.join(os.path.dirname(path), name))
        if not ({name.lstrip("./"), here, "docs/" + os.path.basename(name)} & files):
            report(f"'{name}' is not in the repository: cite a key of {SOURCES}")
    for m in PRIVATE_NOTES.finditer(text):
        if not m.group(0).endswith(".md") and not text.startswith(".md", m.end()):
            report(f"'{m.group(0)}' names a note that is not in the repository: cite a key of "
                   f"{SOURCES}")
    for m in OLD_LABELS.finditer(text):
        report(f"'{m.group(0)}' is a label of notes outside the repository: cite [src:KEY]")


def json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from json_strings(k)
            yield from json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from json_strings(v)


def main():
    keys, sections = load_sources()
    files = repo_files()
    problems = []
    for path in sorted(files):
        top = path.split("/", 1)[0]
        full = os.path.join(ROOT, path)
        if not os.path.isfile(full):
            continue
        if top in CODE_DIRS and path.endswith((".cpp", ".h", ".hpp", ".cc")):
            with open(full, encoding="utf-8") as f:
                text = f.read()
            for line, kind, part in split_cpp(text):
                check_text(path, line, kind, part, keys, sections, files, problems)
        elif top == CONFIG_DIR and path.endswith(".json"):
            with open(full, encoding="utf-8") as f:
                lines = f.read().split("\n")
            with open(full, encoding="utf-8") as f:
                doc = json.load(f)
            for s in json_strings(doc):
                enc = json.dumps(s, ensure_ascii=False)[1:-1]
                line = next((k + 1 for k, l in enumerate(lines) if enc in l), 0)
                check_text(path, line, "json", s, keys, sections, files, problems)
    for p in problems:
        print(p)
    if problems:
        print(f"check_sources: {len(problems)} citation problem(s); the format is in {SOURCES}",
              file=sys.stderr)
        return 1
    print(f"check_sources: every citation names a key of {SOURCES} ({len(keys)} keys)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
