# -*- coding: utf-8 -*-
"""The native frames of pycore's reports against eu-stack's and gdb's,
and the interleaved stacks of --native against the oracle and eu-stack:
the checks of tests/integration/run-tests's Suite that read native
stacks."""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_compare import fixture_mixed_pattern, pycore_status_problems  # noqa: E402
from oracle_report import Report, fmt_frame, parse_mixed  # noqa: E402

GDB_NATIVE_FRAMES = 8     # top native frames of the crashing thread compared
# gdb reads 20 MB of DWARF per core: its check runs on the fixtures whose
# native stacks differ (ctypes into libc, qsort calling back into Python,
# abort), not on stripped copies, where it knows no more than the symbols.
GDB_NATIVE_FIXTURES = ('crash_threads.py', 'crash_qsort.py', 'crash_fatal.py')
GDB_FRAME_LINE_RE = re.compile(
    r'^#(\d+)\s+(?:(0x[0-9a-f]+) in )?(\S+) \(')
GDB_CHECKED = ('debian-3.11',)  # python3.11-dbg gives gdb its py-bt
GDB_TIMEOUT = 120
GDB_THREAD_RE = re.compile(r'^Thread \d+ \(Thread 0x[0-9a-f]+ \(LWP (\d+)\)\)')
GDB_FRAME_RE = re.compile(r'^  File "(.*)", line (\d+), in (.*)$')
EUSTACK_TIMEOUT = 120
EUSTACK_MAX_FRAMES = 256  # eu-stack's default cap
EU_TID_RE = re.compile(r'^TID (\d+):')
EU_FRAME_RE = re.compile(r'^#(\d+)\s+0x([0-9a-f]+)(?:\s+(.*))?$')


def eu_stack_threads(text):
    """{tid: [function name or '??', ...]} from eu-stack's output."""
    threads = {}
    frames = None
    for line in text.split('\n'):
        m = EU_TID_RE.match(line)
        if m:
            frames = threads.setdefault(int(m.group(1)), [])
            continue
        m = EU_FRAME_RE.match(line)
        if m and frames is not None:
            frames.append((m.group(3) or '').strip() or '??')
    return threads


def plain_symbol(name):
    """A function name without its ELF symbol version (__libc_start_main
    @@GLIBC_2.34): eu-stack prints it, pycore need not."""
    return name.split('@', 1)[0] if not name.startswith('@') else name



def run_gdb(command, workdir, keep):
    """gdb's standard output of COMMAND run in WORKDIR, also written to
    KEEP; None when it timed out."""
    try:
        p = subprocess.run(command, cwd=workdir, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=GDB_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None
    text = p.stdout.decode('utf-8', 'replace')
    with open(keep, 'w') as f:
        f.write(text)
    return text


class NativeChecks:
    """The native checks of a fixture's core, for a Suite that has
    run_pycore(), eu_stack and the outputs' directory."""

    def check_mixed(self, interp, fixture, workdir, outdir, oracle, threads):
        """`--native`: in every thread, the Python frames are the oracle's
        and the C frames are eu-stack's (by number), each in order; the
        fixture's `mixed=` line gives the crashing thread's alternation."""
        rc, out, err = self.run_pycore(interp.pycore_args(
            ['analyze', '--native', '--no-source', 'core']), workdir, outdir,
            'mixed')
        problems = pycore_status_problems(rc, err)
        if problems:
            return problems
        stacks = parse_mixed(out)
        # eu-stack has no sysroot: a root's C frames are checked against
        # gdb's by the native check.
        eu = {} if interp.root else eu_stack_threads(
            self.run_eu_stack(workdir, outdir))
        crashing_lwp = threads[0][0]
        for t in oracle['threads']:
            got = next((m for m in stacks if m['pthread'] == t['ident']), None)
            what = 'thread 0x%x' % t['ident']
            if got is None:
                problems.append(what + ' missing')
                continue
            if got['apart']:
                # A stripped LTO build has no symbol for the eval loop's
                # split-off parts (_PyEval_EvalFrameDefault.cold): nothing
                # to pair Python frames with.  Its tracebacks are checked
                # by the auto run.
                if not (interp.root and interp.stripped_from):
                    problems.append('%s: not interleaved: %s'
                                    % (what, got['apart']))
                continue
            want = [(f['file'], f['line'], f['name']) for f in t['frames']]
            have = [e for kind, e in got['entries'] if kind == 'PY']
            if want != have:
                problems.append('%s: Python frames %s, oracle %s' % (
                    what, [fmt_frame(x) for x in have],
                    [fmt_frame(x) for x in want]))
            numbers = [e[0] for kind, e in got['entries'] if kind == 'C']
            if numbers != sorted(set(numbers)):
                problems.append('%s: C frame numbers out of order: %s'
                                % (what, numbers))
            theirs = [plain_symbol(n) for n in eu.get(got['lwp'], [])]
            for n, name in (e for kind, e in got['entries'] if kind == 'C'):
                if n < len(theirs) and plain_symbol(name) != theirs[n]:
                    problems.append('%s: C frame #%d is %s, eu-stack says %s'
                                    % (what, n, name, theirs[n]))
                    break
            if got['lwp'] == crashing_lwp:
                pattern = fixture_mixed_pattern(fixture)
                runs = [kind for i, (kind, _) in enumerate(got['entries'])
                        if i == 0 or got['entries'][i - 1][0] != kind]
                if pattern and runs != pattern:
                    problems.append('crashing thread alternates %s, expected %s'
                                    % (','.join(runs), ','.join(pattern)))
        return problems

    def run_eu_stack(self, workdir, outdir):
        path = os.path.join(outdir, 'eu-stack.txt')
        if not os.path.exists(path) and self.eu_stack:
            p = subprocess.run([self.eu_stack, '--core=core'], cwd=workdir,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=EUSTACK_TIMEOUT)
            with open(path, 'wb') as f:
                f.write(p.stdout)
        try:
            with open(path, encoding='utf-8', errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def check_native_source(self, workdir, outdir, auto_report):
        """--native-source adds ' at FILE:LINE' to the native frames that
        have debug info (python3.11-dbg gives the interpreter's), and
        changes nothing else."""
        if auto_report is None or auto_report[0] not in (0, 3):
            return ['no report of the auto run']
        rc, out, err = self.run_pycore(['analyze', '--native-source', 'core'],
                                       workdir, outdir, 'native-source')
        problems = pycore_status_problems(rc, err)
        rep = Report(out)
        if [t['native'] for t in rep.threads] != \
                [t['native'] for t in auto_report[1].threads]:
            problems.append('native frames differ from the run without '
                            '--native-source')
        if not re.search(r'^    #\d+ .* \(python3\.11\) at \S+\.[ch]:\d+$', out,
                         re.M):
            problems.append('no frame of python3.11 has a source line')
        if re.search(r' at \S+:\d+$', auto_report[2], re.M):
            problems.append('source lines without --native-source')
        return problems

    def check_gdb(self, interp, workdir, outdir, auto_report):
        """gdb's `thread apply all py-bt` (CPython's own libpython.py, from
        python3.11-dbg) must show the same Python frames as pycore, thread
        for thread.  py-bt names functions by co_name, pycore by
        co_qualname: compare the last component."""
        gdb = shutil.which('gdb')
        if gdb is None:
            return ['gdb not installed']
        if auto_report is None or auto_report[0] not in (0, 3):
            return ['no report of the auto run']
        text = run_gdb([gdb, '-batch', '-nx', '-iex',
                        'add-auto-load-safe-path /usr/share/gdb/auto-load',
                        '-ex', 'thread apply all py-bt', interp.exe, 'core'],
                       workdir, os.path.join(outdir, 'gdb-py-bt.txt'))
        if text is None:
            return ['gdb timed out']
        theirs = {}
        lwp = None
        for line in text.split('\n'):
            m = GDB_THREAD_RE.match(line)
            if m:
                lwp = int(m.group(1))
                theirs[lwp] = []
                continue
            m = GDB_FRAME_RE.match(line)
            if m and lwp is not None:
                theirs[lwp].append((m.group(1), int(m.group(2)), m.group(3)))
        if not theirs:
            return ['gdb printed no thread (see gdb-py-bt.txt)']
        problems = []
        for t in auto_report[1].threads:
            ours = [(f, n, name.rsplit('.', 1)[-1] if not name.startswith('<')
                     else name) for f, n, name in t['frames']]
            if ours != theirs.get(t['lwp'], []):
                problems.append('LWP %d: pycore %s, gdb py-bt %s' % (
                    t['lwp'], [fmt_frame(x) for x in ours],
                    [fmt_frame(x) for x in theirs.get(t['lwp'], [])]))
        return problems

    def check_native_gdb(self, interp, workdir, outdir, threads, auto_report):
        """A core of the root: the crashing thread's top native frames name
        the functions gdb names with `set sysroot ROOT` and the root's debug
        files.  gdb names a compiler's clone (f.cold, f.constprop.1) by its
        function, and shows inlined calls as frames of their own: those
        are left out and names compared up to their first dot."""
        gdb = shutil.which('gdb')
        if gdb is None:
            return ['gdb not installed']
        if auto_report is None or auto_report[0] not in (0, 3) \
                or not auto_report[1].threads:
            return ['no report of the auto run']
        text = run_gdb([gdb, '-batch', '-nx', '-iex', 'set sysroot ' + interp.root,
                        '-iex', 'set debug-file-directory ' + os.path.join(
                            interp.root, 'usr/lib/debug'),
                        '-ex', 'bt %d' % (GDB_NATIVE_FRAMES + 8), interp.exe, 'core'],
                       workdir, os.path.join(outdir, 'gdb-bt.txt'))
        if text is None:
            return ['gdb timed out']
        # A frame with an address is a physical frame (named after the
        # innermost function inlined there); those that follow it without
        # one are the functions it was inlined into, the last being the
        # one whose symbol the code is in.
        # gdb prints where the process stopped, then the backtrace: from
        # the last "#0" on.
        lines = text.split('\n')
        starts = [i for i, line in enumerate(lines) if line.startswith('#0 ')]
        theirs = []
        for line in lines[starts[-1] if starts else len(lines):]:
            m = GDB_FRAME_LINE_RE.match(line)
            if not m:
                continue
            if m.group(2) or not theirs:
                theirs.append(m.group(3))
            else:
                theirs[-1] = m.group(3)
        first = auto_report[1].threads[0]
        if first['lwp'] != threads[0][0]:
            return ['first thread printed is LWP %d, the core\'s first '
                    'NT_PRSTATUS is LWP %d' % (first['lwp'], threads[0][0])]
        ours = first['native'][:GDB_NATIVE_FRAMES]
        if len(theirs) < len(ours):
            return ['gdb shows %d frames, pycore %d (see gdb-bt.txt)'
                    % (len(theirs), len(ours))]
        problems = []
        for i, name in enumerate(ours):
            want = theirs[i].split('.', 1)[0]
            if want == '??' or want.startswith('__'):
                continue  # a libc internal gdb and libdwfl spell apart
            if name.split('.', 1)[0] != want:
                problems.append('native frame #%d: pycore %s, gdb %s'
                                % (i, name, theirs[i]))
        return problems

    def check_native(self, interp, workdir, outdir, threads, auto_report):
        if interp.root:
            return self.check_native_gdb(interp, workdir, outdir, threads,
                                         auto_report)
        if self.eu_stack is None:
            return ['eu-stack not installed']
        if auto_report is None:
            return ['no report of the auto run']
        rc, rep = auto_report[:2]
        if rc not in (0, 3) or not rep.threads:
            return ['pycore failed (exit status %s): see auto.stderr' % rc]
        crashing_lwp = threads[0][0]
        first = rep.threads[0]
        problems = []
        if first['lwp'] != crashing_lwp:
            problems.append('first thread printed is LWP %d, the core\'s '
                            'first NT_PRSTATUS is LWP %d'
                            % (first['lwp'], crashing_lwp))
        if not any(t['lwp'] == crashing_lwp for t in rep.threads):
            return problems + ['LWP %d not in the report' % crashing_lwp]
        try:
            p = subprocess.run([self.eu_stack, '--core=core',
                                '--executable=' + interp.exe], cwd=workdir,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=EUSTACK_TIMEOUT)
        except subprocess.TimeoutExpired:
            return problems + ['eu-stack timed out']
        text = p.stdout.decode('utf-8', 'replace')
        with open(os.path.join(outdir, 'eu-stack.txt'), 'w') as f:
            f.write(text)
            f.write(p.stderr.decode('utf-8', 'replace'))
        stacks = eu_stack_threads(text)
        if not stacks.get(crashing_lwp):
            return problems + ['eu-stack shows no stack for LWP %d'
                               % crashing_lwp]
        # The crashing thread first (the brief's requirement), then the
        # others: both tools unwind with libdwfl, they must agree.
        for t in sorted(rep.threads, key=lambda t: t['lwp'] != crashing_lwp):
            what = 'LWP %d%s' % (t['lwp'], ' (crashing)'
                                 if t['lwp'] == crashing_lwp else '')
            theirs = [plain_symbol(n) for n in stacks.get(t['lwp'], [])]
            ours = [plain_symbol(n) for n in t['native']]
            if not ours:
                problems.append('%s: no native frame printed (eu-stack has '
                                '%d)' % (what, len(theirs)))
                continue
            for i in range(min(len(ours), len(theirs))):
                if ours[i] != theirs[i]:
                    problems.append('%s: native frame #%d: pycore %s, '
                                    'eu-stack %s' % (what, i, ours[i],
                                                     theirs[i]))
                    break
            else:
                if (len(theirs) < EUSTACK_MAX_FRAMES
                        and len(ours) != len(theirs)):
                    problems.append('%s: pycore has %d native frames, '
                                    'eu-stack %d' % (what, len(ours),
                                                     len(theirs)))
        return problems
