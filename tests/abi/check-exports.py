#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""check-exports.py NM READELF LIBRARY INCLUDE_DIR SOVERSION

Checks that the shared library exports exactly the public API its headers declare:
  - every pd_ function declared in INCLUDE_DIR/pindeck/*.h is exported, and no other pd_ symbol;
  - every other exported symbol is a C++ name (or its typeinfo, vtable, ...) that a header
    INCLUDE_DIR/pindeck/*.hpp declares directly in a namespace it declares (pindeck::Client::open
    is, since client.hpp declares class Client in namespace pindeck; pindeck::s3::Client::get is
    not, since no public header declares a namespace pindeck::s3 or anything named s3 in pindeck);
  - the typeinfo of every exported class with a base class (pindeck::Error) is exported, so that
    a host can catch it;
  - the soname is libpindeck.so.SOVERSION.
The lists come from the headers when the test runs, so a function added to a header is checked
without a change here. Each failure names the symbol.
"""

import re
import subprocess
import sys
from pathlib import Path

# Demangled forms of the data the compiler makes for a C++ entity, naming that entity after them.
SPECIAL_PREFIXES = (
    "typeinfo for ",
    "typeinfo name for ",
    "vtable for ",
    "VTT for ",
    "construction vtable for ",
    "guard variable for ",
    "non-virtual thunk to ",
    "virtual thunk to ",
    "covariant return thunk to ",
)

# Words that may come before '(', '=', ';', '[' or '{' at namespace scope without being declared.
NOT_DECLARED_NAMES = {
    "alignas", "alignof", "decltype", "noexcept", "requires", "sizeof", "static_assert",
    "__attribute__", "return", "if", "while", "for", "switch", "const", "volatile", "void",
    "bool", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "auto",
}


def source_code(path):
    """The text of a header without comments, string literals and preprocessor lines."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(
        r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'",
        lambda m: " " if m.group(0).startswith("/") else '""',
        text,
        flags=re.S,
    )
    return re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)


def declared_c_functions(headers):
    names = set()
    for header in headers:
        # A function pointer type such as (*pd_log_fn)(...) has ')' after its name, not '('.
        names.update(re.findall(r"\b(pd_\w+)\s*\(", source_code(header)))
    return names


def identifier(token):
    return re.fullmatch(r"[A-Za-z_]\w*", token) is not None


def declared_cxx_names(headers):
    """The namespaces the headers declare ("pindeck", "pindeck::detail", ...) and, for each, the
    names declared directly in it: classes, enums, aliases, functions and variables; and the
    exported classes with a base class (such as pindeck::Error), whose typeinfo a host needs to
    catch or dynamic_cast them."""
    declared = {}
    derived = set()
    for header in headers:
        tokens = re.findall(r"[A-Za-z_]\w*|::|\S", source_code(header))
        scopes = []  # one per open brace: a namespace's path, or None for any other brace
        parens = 0
        i = 0
        while i < len(tokens):
            token = tokens[i]
            at_namespace_scope = parens == 0 and scopes and scopes[-1] is not None
            if token == "namespace" and parens == 0:
                j = i + 1
                parts = []
                while tokens[j] not in ("{", "=", ";"):
                    if identifier(tokens[j]) and tokens[j] != "inline":
                        parts.append(tokens[j])
                    j += 1
                if tokens[j] == "{":
                    outer = scopes[-1] if scopes and scopes[-1] is not None else ""
                    inner = "::".join(parts) if parts else "(anonymous namespace)"
                    path = f"{outer}::{inner}" if outer else inner
                    declared.setdefault(path, set())
                    scopes.append(path)
                i = j + 1
                continue
            if token == "{":
                scopes.append(None)
            elif token == "}":
                scopes.pop()
            elif token == "(":
                parens += 1
            elif token == ")":
                parens -= 1
            elif at_namespace_scope:
                names = declared[scopes[-1]]
                after = tokens[i + 1] if i + 1 < len(tokens) else ""
                if token in ("class", "struct", "union", "enum"):
                    j = i + 1
                    words = []
                    while tokens[j] not in ("{", ":", ";", "<", ">", ",", "=", ")"):
                        if identifier(tokens[j]) and tokens[j] not in ("class", "final"):
                            words.append(tokens[j])
                        j += 1
                    if words:
                        names.add(words[-1])
                    if tokens[j] == ":" and "PD_EXPORT" in words[:-1]:
                        derived.add(f"{scopes[-1]}::{words[-1]}")
                    if tokens[j] == ":":  # a base clause, up to the class body
                        while tokens[j] not in ("{", ";"):
                            j += 1
                    i = j
                    continue
                if token == "operator":
                    j = i + 1
                    while tokens[j] != "(" or j == i + 1:
                        j += 1
                    names.add("operator" + "".join(tokens[i + 1 : j]))
                    i = j
                    continue
                if token == "using" and i + 2 < len(tokens) and tokens[i + 2] == "=":
                    names.add(tokens[i + 1])
                elif (
                    identifier(token)
                    and token not in NOT_DECLARED_NAMES
                    and tokens[i - 1] not in ("::", ".", "->")
                    and after in ("(", "=", ";", "[", "{")
                ):
                    names.add(token)
            i += 1
    return declared, derived


def scope_components(name):
    """The components of a demangled qualified name up to its first one that is not followed by
    '::': "pindeck::Client::open(...) const" gives ["pindeck", "Client", "open"]."""
    components = []
    i = 0
    while i < len(name):
        match = re.match(r"\(anonymous namespace\)|operator[^\w(]+(?=\()|[A-Za-z_]\w*", name[i:])
        if not match:
            break
        components.append(match.group(0))
        i += match.end()
        while i < len(name) and name[i] in "<[":  # template arguments, [abi:cxx11]
            opening = name[i]
            closing = ">" if opening == "<" else "]"
            depth = 0
            while i < len(name):
                depth += (name[i] == opening) - (name[i] == closing)
                i += 1
                if depth == 0:
                    break
        if not name.startswith("::", i):
            break
        i += 2
    return components


def public_cxx_problem(name, declared):
    """Why an exported C++ symbol is not part of the public API, or None when it is."""
    for prefix in SPECIAL_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    components = scope_components(name)
    if not components or components[0] != "pindeck":
        return "not in namespace pindeck"
    namespace = components[0]
    rest = components[1:]
    while rest and f"{namespace}::{rest[0]}" in declared:
        namespace = f"{namespace}::{rest[0]}"
        rest = rest[1:]
    if not rest:
        return f"names the namespace {namespace} itself"
    if rest[0] not in declared.get(namespace, set()):
        return f"{namespace}::{rest[0]} is declared in no public header"
    return None


def exported_symbols(nm, library):
    """(mangled, demangled) for each symbol the library defines in its dynamic symbol table."""

    def names(*flags):
        out = subprocess.run(
            [nm, "--dynamic", "--defined-only", "--no-sort", "--format=posix", *flags, library],
            check=True, capture_output=True, text=True,
        ).stdout
        # A POSIX line is "NAME TYPE VALUE SIZE"; a demangled NAME has spaces of its own.
        return [re.sub(r"@.*$", "", line.rsplit(" ", 3)[0]) for line in out.splitlines() if line]

    mangled, demangled = names(), names("--demangle")
    if len(mangled) != len(demangled):
        sys.exit(f"nm listed {len(mangled)} symbols, but {len(demangled)} demangled")
    return list(zip(mangled, demangled))


def soname(readelf, library):
    out = subprocess.run(
        [readelf, "--dynamic", library], check=True, capture_output=True, text=True
    ).stdout
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    return match.group(1) if match else None


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    nm, readelf, library, include_dir, soversion = sys.argv[1:]
    headers = Path(include_dir) / "pindeck"
    c_headers = sorted(headers.glob("*.h"))
    cxx_headers = sorted(headers.glob("*.hpp"))
    if not c_headers or not cxx_headers:
        sys.exit(f"no public headers (*.h and *.hpp) under {headers}")

    problems = []
    expected_soname = f"libpindeck.so.{soversion}"
    actual_soname = soname(readelf, library)
    if actual_soname != expected_soname:
        problems.append(f"soname is {actual_soname}, not {expected_soname} (the ABI version)")

    declared_c = declared_c_functions(c_headers)
    declared_cxx, derived_classes = declared_cxx_names(cxx_headers)
    exported_c = set()
    exported_cxx = set()
    for mangled, demangled in exported_symbols(nm, library):
        if not mangled.startswith("_Z"):
            exported_c.add(mangled)
            if mangled not in declared_c:
                problems.append(f"{mangled}: exported C symbol that no pindeck/*.h declares")
            continue
        exported_cxx.add(demangled)
        problem = public_cxx_problem(demangled, declared_cxx)
        if problem:
            problems.append(f"{demangled}: {problem}")
    for name in sorted(declared_c - exported_c):
        problems.append(f"{name}: declared in a pindeck/*.h but not exported")
    for name in sorted(derived_classes):
        if f"typeinfo for {name}" not in exported_cxx:
            problems.append(f"typeinfo for {name} is not exported: a host cannot catch it")

    print(f"{len(declared_c)} C functions declared in {len(c_headers)} headers, "
          f"{len(exported_c)} C symbols and {len(exported_cxx)} C++ symbols exported; "
          f"namespaces of the C++ headers: {', '.join(sorted(declared_cxx))}; "
          f"exception classes: {', '.join(sorted(derived_classes))}; soname {actual_soname}")
    shown = 40
    for problem in problems[:shown]:
        print(f"FAIL  {problem}")
    if len(problems) > shown:
        print(f"FAIL  ... and {len(problems) - shown} more")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
