# -*- coding: utf-8 -*-
"""The interpreters tests/integration/run-tests crashes: every one of
pycoretest's table, Debian sid's in the root scripts/make-root makes, and
stripped copies of some (no symbols, no build-id, no debuglink: no debug
information reachable)."""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pycoretest as pt  # noqa: E402

# (label, interpreter) for every interpreter the suite knows.
INTERPRETERS = pt.PYTHONS
# Debian sid's own builds run in the root scripts/make-root makes: crashed
# there with chroot, read with --sysroot (their DWARF comes from the
# root's -dbg packages), their native frames checked against gdb's with
# `set sysroot`, which reads the same debug files.
IN_ROOT = tuple(label for label, _ in INTERPRETERS if pt.in_root(label))
# Interpreters that are also tested as stripped copies.
STRIPPED = ('2.7', '3.6', '3.10', '3.12', '3.13', 'debian-3.11') + IN_ROOT


class Interp(pt.Python):
    """An interpreter to crash: the command, its label and its version."""

    def __init__(self, label, path, env=None, stripped_from=None, root=None):
        super().__init__(label, path, root)
        self.env = env or {}
        self.stripped_from = stripped_from
        self.version = None

    def pycore_args(self, args):
        """`pycore analyze` reads a core of the root with --sysroot."""
        if self.root is None:
            return args
        return args[:1] + ['--sysroot', self.root] + args[1:]

    def query_version(self):
        env = dict(os.environ, **self.env)
        out = subprocess.run(
            self.command(['-c',
                          'import sys; print("%d %d %d" % sys.version_info[:3])']),
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=60, check=True)
        self.version = tuple(int(x) for x in out.stdout.split())

    def layouts(self):
        """The --layout values checked on cores of this interpreter."""
        if self.stripped_from:
            return []
        extra = ['debug-offsets', 'dwarf'] if self.version >= (3, 13) else []
        return ['tables'] + extra


def label_for(path):
    real = os.path.realpath(path)
    for label, known in INTERPRETERS:
        if os.path.exists(known) and os.path.realpath(known) == real:
            return label
    return re.sub(r'[^A-Za-z0-9_.-]', '_', os.path.basename(path))


def readelf(args, path):
    out = subprocess.run(['readelf'] + args + [path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True)
    return out.stdout


DEBUG_SECTION_RE = re.compile(
    r'\s(\.z?debug_\S*|\.symtab|\.strtab|\.gnu_debuglink|\.gnu_debugdata'
    r'|\.note\.gnu\.build-id)\s')


def strip_copy(src, dst):
    shutil.copy2(src, dst)
    subprocess.run(['strip', '--strip-all',
                    '--remove-section=.note.gnu.build-id',
                    '--remove-section=.gnu_debuglink',
                    '--remove-section=.gnu_debugdata', dst], check=True)
    left = DEBUG_SECTION_RE.findall(readelf(['-S', '-W'], dst))
    if left:
        raise RuntimeError('%s keeps %s' % (dst, ', '.join(sorted(set(left)))))


def make_stripped(interp, dest):
    """Copy interp's executable and libpython into DEST/bin and DEST/lib,
    stripped of symbols, build-id and debuglink; the standard library is
    reached through a symlink DEST/lib/pythonX.Y so that the copy finds it
    as its own prefix.  Returns the stripped Interp."""
    exe = interp.exe
    prefix = os.path.dirname(os.path.dirname(exe))
    bindir = os.path.join(dest, 'bin')
    libdir = os.path.join(dest, 'lib')
    os.makedirs(bindir)
    os.makedirs(libdir)
    new_exe = os.path.join(bindir, os.path.basename(exe))
    strip_copy(exe, new_exe)
    dynamic = readelf(['-d'], exe)
    needed = re.findall(r'\(NEEDED\)\s+Shared library: \[(libpython[^\]]*)\]',
                        dynamic)
    runpath = re.findall(r'\((?:RUNPATH|RPATH)\)\s+Library r\w*path: \[(.*)\]',
                         dynamic)
    search = [d for p in runpath for d in p.split(':')]
    search.append(os.path.join(prefix, 'lib'))
    env = {}
    for lib in needed:
        for d in search:
            if os.path.exists(os.path.join(d, lib)):
                strip_copy(os.path.realpath(os.path.join(d, lib)),
                           os.path.join(libdir, lib))
                break
        else:
            raise RuntimeError('%s needs %s: not found in %s'
                               % (exe, lib, search))
        env['LD_LIBRARY_PATH'] = libdir
    for name in os.listdir(os.path.join(prefix, 'lib')):
        if re.match(r'^python\d\.\d+$', name):
            os.symlink(interp.inside(os.path.join(prefix, 'lib', name)),
                       os.path.join(libdir, name))
    if 'LD_LIBRARY_PATH' in env:
        env['LD_LIBRARY_PATH'] = interp.inside(libdir)
    stripped = Interp('stripped-' + interp.label, interp.inside(new_exe),
                      env=env, stripped_from=interp, root=interp.root)
    stripped.version = interp.version
    return stripped
