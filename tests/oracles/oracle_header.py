"""Writes a generated oracle header, or with --check fails when the committed one differs."""
import os
import sys


def write_or_check(path, text, script):
    if sys.argv[1:] == ["--check"]:  # the committed header is what the script writes
        with open(path) as fh:
            if fh.read() != text:
                sys.exit("%s is stale: rerun %s" % (path, os.path.basename(script)))
    else:
        with open(path, "w") as fh:
            fh.write(text)
