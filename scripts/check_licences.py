#!/usr/bin/env python3
"""Fails when a dependency of the app or of the model toolkit is under a copyleft licence.

Rust: every package in `cargo metadata` (normal, build and dev dependencies, all
platforms) must offer at least one licence from ALLOWED in its SPDX expression.
Python: every distribution installed in the toolkit's environment is checked the same way
from its metadata, when that environment is given with --python.

Exit 0 when all pass, 1 with one line per offender otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys

ALLOWED = {
    "MIT", "MIT-0", "Apache-2.0", "Apache-2.0 WITH LLVM-exception", "BSD-2-Clause",
    "BSD-3-Clause", "BSD-1-Clause", "0BSD", "ISC", "Zlib", "Unicode-3.0", "Unicode-DFS-2016",
    "BSL-1.0", "CC0-1.0", "Unlicense", "MPL-2.0", "OFL-1.1", "Ubuntu-font-1.0", "bzip2-1.0.6",
    "PSF-2.0", "Python-2.0", "IJG", "HPND", "NCSA", "CDLA-Permissive-2.0", "LicenseRef-UFL-1.0",
}
COPYLEFT = re.compile(r"\b(A?GPL|LGPL|SSPL|EUPL|CC-BY-SA)", re.IGNORECASE)

# Python distributions whose metadata names no SPDX licence, checked by hand: the licence
# each one ships (LICENSE file in the wheel).
PYTHON_BY_HAND = {
    "nvidia-*": "NVIDIA proprietary runtime redistributable (CUDA wheels pulled by torch; not copyleft)",
    "triton": "MIT",
}


def spdx_ok(expression: str) -> bool:
    """True when the SPDX expression can be satisfied with allowed licences alone.

    `A OR B` needs one side allowed, `A AND B` both; parentheses group; `A WITH B` is one
    licence. Cargo's old `A/B` form means OR.
    """
    tokens = re.findall(r"\(|\)|[^\s()]+", expression.replace("/", " OR "))
    merged: list[str] = []
    for token in tokens:  # glue "X WITH Y" into one licence
        if merged and (token == "WITH" or merged[-1].endswith(" WITH")):
            merged[-1] = f"{merged[-1]} {token}"
        else:
            merged.append(token)
    value, rest = _parse_or(merged)
    return value and not rest


def _parse_or(tokens: list[str]) -> tuple[bool, list[str]]:
    value, tokens = _parse_and(tokens)
    while tokens and tokens[0] == "OR":
        right, tokens = _parse_and(tokens[1:])
        value = value or right
    return value, tokens


def _parse_and(tokens: list[str]) -> tuple[bool, list[str]]:
    value, tokens = _parse_atom(tokens)
    while tokens and tokens[0] == "AND":
        right, tokens = _parse_atom(tokens[1:])
        value = value and right
    return value, tokens


def _parse_atom(tokens: list[str]) -> tuple[bool, list[str]]:
    if not tokens:
        return False, tokens
    if tokens[0] == "(":
        value, rest = _parse_or(tokens[1:])
        return value, rest[1:] if rest and rest[0] == ")" else rest
    return tokens[0] in ALLOWED, tokens[1:]


def rust_offenders() -> list[str]:
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True, capture_output=True, text=True,
    ).stdout
    offenders = []
    for package in json.loads(out)["packages"]:
        licence = package.get("license") or ""
        if not licence:
            offenders.append(f"rust {package['name']} {package['version']}: no licence expression")
        elif not spdx_ok(licence):
            offenders.append(f"rust {package['name']} {package['version']}: {licence}")
    return offenders


def python_offenders(python: str) -> list[str]:
    script = (
        "import importlib.metadata as m, json;"
        "print(json.dumps([(d.metadata['Name'], d.metadata.get('License-Expression') or '',"
        " d.metadata.get('License') or '', d.metadata.get_all('Classifier') or [])"
        " for d in m.distributions()]))"
    )
    dists = json.loads(subprocess.run([python, "-c", script], check=True,
                                      capture_output=True, text=True).stdout)
    offenders = []
    for name, expression, licence, classifiers in dists:
        if any(re.fullmatch(k.replace("*", ".*"), name.lower()) for k in PYTHON_BY_HAND):
            continue
        licence_classifiers = [c for c in classifiers if c.startswith("License ::")]
        text = " ".join([expression, licence[:200], *licence_classifiers])
        if COPYLEFT.search(text) and not (expression and spdx_ok(expression)):
            offenders.append(f"python {name}: {text.strip()[:120]}")
    return offenders


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", help="interpreter of the toolkit's environment to check")
    args = parser.parse_args()
    offenders = rust_offenders()
    if args.python:
        offenders += python_offenders(args.python)
    for line in offenders:
        print(f"licence check: {line}", file=sys.stderr)
    print(f"licence check: {'FAILED' if offenders else 'ok'}")
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
