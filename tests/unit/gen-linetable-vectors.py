# -*- coding: utf-8 -*-
"""Write line-table test vectors for pycore's linetable_lookup() to stdout.

Runs unchanged under CPython 2.7 and 3.6 - 3.13.  It compiles a set of
varied snippets, and for every code object it writes the raw line table
(co_lnotab up to 3.9, co_linetable from 3.10), co_firstlineno and, for every
byte offset of the bytecode plus a few offsets past its end, the location
the interpreter itself computes:

  - the oracle is the running interpreter's own C function, called through
    ctypes: PyCode_Addr2Line (2.7 - 3.10) and PyCode_Addr2Location (3.11+),
    the functions whose results pycore must reproduce;
  - the Python-level views are checked against it as a second opinion, for
    offsets inside the bytecode: dis.findlinestarts (<= 3.9), co_lines()
    (3.10+) and co_positions() (3.11+).  Any disagreement is reported on
    stderr and makes the script exit with status 1.

Output format, one record a line, fields separated by single spaces:

  pycore-linetable-vectors 1
  version MAJOR MINOR MICRO RELEASELEVEL
  code NAME FORMAT FIRSTLINENO CODELEN HEX        (HEX is "-" for an empty table)
  at OFFSET LINE END_LINE COLUMN END_COLUMN       (-1 = unknown; <= 3.10: no columns)
  end
  ...

FORMAT is one of lnotab-unsigned (2.7), lnotab-signed (3.6 - 3.9),
linetable-310 (3.10), locations (3.11+).
"""
from __future__ import print_function

import binascii
import ctypes
import dis
import sys
import types

PY = sys.version_info

if PY < (3,):
    FORMAT = "lnotab-unsigned"
elif PY < (3, 10):
    FORMAT = "lnotab-signed"
elif PY < (3, 11):
    FORMAT = "linetable-310"
else:
    FORMAT = "locations"

# Offsets past the end of the bytecode, relative to its length; and one
# absolute (the largest int the C functions take).
PAST_END = (0, 1, 2, 3, 64, 4096)
INT_MAX = 2 ** 31 - 1


def blank(n):
    return "\n" * n


def build_snippets():
    """(name, source) pairs; a snippet this version cannot compile is skipped."""
    s = []
    s.append(("simple", (
        "def simple(a, b):\n"
        "    c = a + b\n"
        "    return c * 2\n")))
    # Line jumps of more than 127 and 255 lines, forwards.
    s.append(("far", (
        "def far(x):\n"
        "    x += 1\n" + blank(130) +
        "    x += 2\n" + blank(300) +
        "    x += 3\n" + blank(1000) +
        "    return x\n")))
    # More than 255 bytes of bytecode on one line, and columns >= 128.
    s.append(("wide", (
        "def wide(a):\n"
        "    r = [" + ", ".join("a + %d" % i for i in range(300)) + "]\n"
        "    return r\n")))
    # A call whose arguments sit far below its first line: the call itself
    # goes back up (negative deltas, below -128 too).
    s.append(("backwards", (
        "def backwards(f, a, b):\n"
        "    return f(\n"
        "        a,\n" + blank(140) +
        "        b,\n" + blank(300) +
        "        a)\n")))
    s.append(("loops", (
        "def loops(n):\n"
        "    total = 0\n"
        "    for i in range(n):\n"
        "        total += i\n"
        "        if total > 100:\n"
        "            break\n"
        "    else:\n"
        "        total = -1\n"
        "    while total > 0:\n"
        "        total -= 3\n"
        "        if total == 7:\n"
        "            continue\n"
        "    return total\n")))
    s.append(("ternary", (
        "def ternary(a, b, c):\n"
        "    x = (a\n"
        "         if c\n"
        "         else b)\n"
        "    y = {\n"
        "        'k': a,\n"
        "        'l': [b,\n"
        "              c],\n"
        "    }\n"
        "    return (x,\n"
        "            y)\n")))
    s.append(("lambdas", (
        "f = lambda x: (x +\n"
        "               1)\n"
        "g = lambda: [lambda y: y * 2 for _ in range(3)]\n")))
    s.append(("comprehensions", (
        "def comprehensions(seq):\n"
        "    a = [x * 2\n"
        "         for x in seq\n"
        "         if x]\n"
        "    b = {x: y for x, y in zip(seq,\n"
        "                              seq)}\n"
        "    c = set(x for x in seq)\n"
        "    d = {x for x in seq if x > 1}\n"
        "    return a, b, c, d\n")))
    s.append(("unicode", (
        "def unicode(x):\n"
        "    s = 'h\u00e9llo w\u00f6rld \u2713' + x + '\u00fc'\n"
        "    t = '\u65e5\u672c\u8a9e' + x.lower() + '\U0001f600'\n"
        "    return s.upper() + t + str(len('\u00e9\u00e9\u00e9')) + x\n")))
    s.append(("exceptions", (
        "def exceptions(f, path):\n"
        "    try:\n"
        "        f()\n"
        "    except ValueError as e:\n"
        "        return e\n"
        "    except (KeyError, IndexError):\n"
        "        pass\n"
        "    finally:\n"
        "        f()\n"
        "    with open(path) as g:\n"
        "        g.read()\n"
        "    try:\n"
        "        return 1 / 0\n"
        "    except ZeroDivisionError:\n"
        "        raise\n")))
    s.append(("generators", (
        "def generators(n):\n"
        "    for i in range(n):\n"
        "        x = yield i\n"
        "        if x:\n"
        "            yield (x,\n"
        "                   i)\n"
        "    return\n")))
    s.append(("classes", (
        "class Thing(object):\n"
        "    attr = 1\n"
        "    def method(self, a=(1,\n"
        "                        2)):\n"
        "        return self.attr + \\\n"
        "            a[0]\n"
        "    @staticmethod\n"
        "    def static():\n"
        "        return Thing(\n"
        "        ).method()\n")))
    # Very long lines: columns that need multi-byte varints.
    s.append(("long_lines", (
        "def long_lines(a, b):\n"
        "    x = " + " + ".join(["a"] * 150) + " + b.c\n"
        "    y = (" + " + ".join(["b"] * 60) + ",\n"
        "         " + " + ".join(["a"] * 60) + ")\n"
        "    return x.d(y)\n")))
    # A big function, several kilobytes of bytecode.
    lines = ["def big(x):"]
    for i in range(600):
        lines.append("    x = x + %d" % i)
        if i % 50 == 0:
            lines.append(blank(i % 7))
    lines.append("    return x")
    s.append(("big", "\n".join(lines) + "\n"))
    # Deltas in both directions in one statement.
    s.append(("zigzag", (
        "def zigzag(f):\n"
        "    return f(f(\n"
        "        1),\n" + blank(200) +
        "        f(2)).g(\n"
        "            3\n"
        "    )[\n"
        "        0]\n")))
    # Snippets only some versions compile.
    s.append(("async", (
        "async def coro(x, aiter, cm):\n"
        "    await x\n"
        "    async for y in aiter:\n"
        "        await y\n"
        "    async with cm as z:\n"
        "        return [w async for w in z]\n")))
    s.append(("fstrings", (
        "def fstrings(a, b):\n"
        "    return f'{a!r:>10} and {b}' + f'''{\n"
        "        a + b\n"
        "    }'''\n")))
    s.append(("walrus", (
        "def walrus(seq):\n"
        "    if (n := len(seq)) > 10:\n"
        "        return n\n"
        "    return [y for x in seq if (y := x * 2)]\n")))
    s.append(("match", (
        "def matching(p):\n"
        "    match p:\n"
        "        case (0, y):\n"
        "            return y\n"
        "        case {'k': v, **rest}:\n"
        "            return v\n"
        "        case [1, *others] if others:\n"
        "            return others\n"
        "        case _:\n"
        "            return None\n")))
    s.append(("except_star", (
        "def except_star(f):\n"
        "    try:\n"
        "        f()\n"
        "    except* ValueError as eg:\n"
        "        r = eg\n"
        "    except* TypeError:\n"
        "        pass\n")))
    s.append(("type_params", (
        "def type_params[T](x: T) -> T:\n"
        "    return x\n"
        "type Alias[K] = dict[K, int]\n")))
    # A module body starting far down (large co_firstlineno).
    s.append(("offset_module", blank(70000) + (
        "import sys\n"
        "x = [sys.argv,\n"
        "     sys.path]\n"
        "def h():\n"
        "    return x\n")))
    return s


def table_of(code):
    if PY < (3, 10):
        return code.co_lnotab
    return code.co_linetable


def as_ints(data):
    if PY < (3,):
        return [ord(c) for c in data]
    return list(data)


def walk(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            for inner in walk(const):
                yield inner


class Oracle(object):
    def __init__(self):
        api = ctypes.pythonapi
        self.addr2line = api.PyCode_Addr2Line
        self.addr2line.argtypes = [ctypes.py_object, ctypes.c_int]
        self.addr2line.restype = ctypes.c_int
        self.addr2location = None
        if PY >= (3, 11):
            self.addr2location = api.PyCode_Addr2Location
            self.addr2location.argtypes = [ctypes.py_object, ctypes.c_int] + \
                [ctypes.POINTER(ctypes.c_int)] * 4
            self.addr2location.restype = ctypes.c_int

    def location(self, code, offset):
        """(line, end_line, column, end_column) as CPython computes them."""
        if self.addr2location is None:
            return (self.addr2line(code, offset), -1, -1, -1)
        line, col, end_line, end_col = [ctypes.c_int(-7) for _ in range(4)]
        self.addr2location(code, offset, ctypes.byref(line), ctypes.byref(col),
                           ctypes.byref(end_line), ctypes.byref(end_col))
        return (line.value, end_line.value, col.value, end_col.value)


def python_view(code):
    """{offset: location} for offsets inside the bytecode, from the
    Python-level APIs (None when this version has no such view)."""
    n = len(code.co_code)
    view = {}
    if PY < (3, 10):
        starts = list(dis.findlinestarts(code))
        for offset in range(n):
            line = None
            for start, start_line in starts:
                if start <= offset:
                    line = start_line
            view[offset] = (line, -1, -1, -1)
        return view
    lines = {}
    for start, end, line in code.co_lines():
        for offset in range(start, end):
            lines[offset] = -1 if line is None else line
    if PY < (3, 11):
        for offset in range(n):
            view[offset] = (lines.get(offset, -1), -1, -1, -1)
        return view
    def unknown(v):
        return -1 if v is None else v
    for unit, pos in enumerate(code.co_positions()):
        loc = tuple(unknown(v) for v in pos)
        for offset in (2 * unit, 2 * unit + 1):
            if loc[0] != lines.get(offset, -1):
                raise AssertionError("co_lines and co_positions disagree at %d" % offset)
            view[offset] = loc
    return view


def emit_code(out, oracle, name, code):
    table = table_of(code)
    hexed = binascii.hexlify(table).decode("ascii") if len(table) else "-"
    n = len(code.co_code)
    qualname = getattr(code, "co_qualname", code.co_name)
    label = ("%s:%s" % (name, qualname)).replace(" ", "_")
    out.append("code %s %s %d %d %s" % (label, FORMAT, code.co_firstlineno, n, hexed))
    view = python_view(code)
    problems = 0
    offsets = list(range(n)) + [n + d for d in PAST_END] + [INT_MAX]
    for offset in offsets:
        loc = oracle.location(code, offset)
        if offset in view and view[offset] != loc:
            problems += 1
            if problems <= 5:
                sys.stderr.write("%s: offset %d: C API says %r, Python API says %r\n"
                                 % (label, offset, loc, view[offset]))
        out.append("at %d %d %d %d %d" % ((offset,) + loc))
    out.append("end")
    return problems


def main():
    oracle = Oracle()
    out = ["pycore-linetable-vectors 1",
           "version %d %d %d %s" % (PY[0], PY[1], PY[2], PY[3])]
    problems = 0
    compiled = 0
    for name, source in build_snippets():
        try:
            module = compile(source, "<pycore-vectors-%s>" % name, "exec", 0, True)
        except SyntaxError:
            sys.stderr.write("note: %s does not compile here, skipped\n" % name)
            continue
        compiled += 1
        for code in walk(module):
            problems += emit_code(out, oracle, name, code)
    sys.stdout.write("\n".join(out) + "\n")
    if problems:
        sys.stderr.write("error: %d offsets where the oracles disagree\n" % problems)
        return 1
    if compiled < 10:
        sys.stderr.write("error: only %d snippets compiled\n" % compiled)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
