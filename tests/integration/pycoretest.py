# -*- coding: utf-8 -*-
"""What every integration script shares: the interpreters to crash, a way
to make a real core, a way to run pycore, and the PASS/FAIL lines with the
closing "N passed, M failed" line that scripts/run-tests counts.

A script imports it from its own directory:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pycoretest as pt

The interpreters
    PYTHONS lists (label, path) for every interpreter the tests know:
    pyenv's builds 2.7.18 and 3.6 to 3.13 (labels "2.7" ... "3.13"),
    Debian's /usr/bin/python3.11 ("debian-3.11"), and Debian sid's 3.13 to
    3.15 ("sid-3.13" ... "sid-3.15"), whose paths are inside the root that
    `scripts/make-root --print` names: they run there under chroot and
    their cores are read with --sysroot.

    PYCORE_PYTHONS overrides it: whitespace-separated LABEL=PATH entries,
    each replacing the path of LABEL (or adding LABEL, which the scripts
    that run every interpreter then take up), e.g.
        PYCORE_PYTHONS='3.12=/opt/python3.12/bin/python3.12 3.14=/usr/bin/python3.14'
    A sid-* path is one inside the root.

    A missing interpreter is reported `SKIP name: ... not found` and fails
    the run, unless PYCORE_ALLOW_MISSING_PYTHON=1 (Reporter.missing).

pycore
    $PYCORE, default ./pycore at the top of the tree; pycore() runs it.
"""

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     '..', '..'))
FIXTURES = os.path.join(ROOT, 'fixtures')
PYENV = '/root/.pyenv/versions'
TIMEOUT = 120                 # seconds for one crash or one pycore run
ROOT_MARKER = '.pycore-root-complete'   # scripts/make-root's "done"
MAX_REASON = 1000             # characters of a FAIL line's reason

DEFAULT_PYTHONS = [
    ('2.7', PYENV + '/2.7.18/bin/python'),
    ('3.6', PYENV + '/3.6.15/bin/python'),
    ('3.7', PYENV + '/3.7.16/bin/python'),
    ('3.8', PYENV + '/3.8.18/bin/python'),
    ('3.9', PYENV + '/3.9.18/bin/python'),
    ('3.10', PYENV + '/3.10.13/bin/python'),
    ('3.11', PYENV + '/3.11.7/bin/python'),
    ('3.12', PYENV + '/3.12.1/bin/python'),
    ('3.13', PYENV + '/3.13.0/bin/python'),
    ('debian-3.11', '/usr/bin/python3.11'),
    ('sid-3.13', '/usr/bin/python3.13'),
    ('sid-3.14', '/usr/bin/python3.14'),
    ('sid-3.15', '/usr/bin/python3.15'),
]


# What fixtures/ holds besides the Python programs the tests crash: data
# that a copy next to a crash would only slow down, and cores that a
# `pycore ci` over that directory would find besides the one just made.
FIXTURE_DATA = ('__pycache__', '*.pyc', 'fuzz-regressions', 'aarch64-kernel')


def copy_fixtures(workdir):
    """The crashing programs of fixtures/ into WORKDIR/fixtures, and
    include/ into WORKDIR/include, where the oracle reads pycore's caps."""
    shutil.copytree(FIXTURES, os.path.join(workdir, 'fixtures'),
                    ignore=shutil.ignore_patterns(*FIXTURE_DATA))
    shutil.copytree(os.path.join(ROOT, 'include'),
                    os.path.join(workdir, 'include'))


def _pythons():
    table = list(DEFAULT_PYTHONS)
    for entry in os.environ.get('PYCORE_PYTHONS', '').split():
        label, equals, path = entry.partition('=')
        if not equals or not label or not path:
            sys.exit('PYCORE_PYTHONS: %r is not LABEL=PATH' % entry)
        table = [(l, path if l == label else p) for l, p in table]
        if label not in dict(table):
            table.append((label, path))
    return table


PYTHONS = _pythons()
PYCORE = os.path.abspath(os.environ.get('PYCORE') or os.path.join(ROOT, 'pycore'))
ALLOW_MISSING = os.environ.get('PYCORE_ALLOW_MISSING_PYTHON') == '1'


# ------------------------------------------------------------- interpreters

_sid_root = None


def sid_root():
    """The directory of Debian sid's root, as scripts/make-root names it."""
    global _sid_root
    if _sid_root is None:
        _sid_root = subprocess.run(
            [os.path.join(ROOT, 'scripts', 'make-root'), '--print'],
            stdout=subprocess.PIPE, universal_newlines=True,
            check=True).stdout.strip()
    return _sid_root


def in_root(label):
    return label.startswith('sid-')


class Python:
    """An interpreter of the table: LABEL, PATH as the interpreter sees it,
    and ROOT, the directory it runs in under chroot (None: this machine's)."""

    def __init__(self, label, path, root=None):
        self.label = label
        self.path = path
        self.root = root
        # the ELF file the core maps, as this machine sees it
        self.exe = os.path.realpath((root or '') + path)

    def missing(self):
        """Why this interpreter cannot run, or None."""
        if self.root is not None and not os.path.exists(
                os.path.join(self.root, ROOT_MARKER)):
            return '%s: the root %s is not complete (run scripts/make-root)' % (
                self.path, self.root)
        if not os.path.exists((self.root or '') + self.path):
            return '%s not found' % ((self.root or '') + self.path)
        return None

    def command(self, args, cwd=None):
        """The command that runs the interpreter with ARGS (in CWD, a
        directory as seen from inside the root)."""
        if self.root is None:
            return [self.path] + args
        return ['chroot', self.root, '/bin/sh', '-c', 'cd "$0" && exec "$@"',
                cwd or '/', self.path] + args

    def inside(self, path):
        """PATH of this machine as the interpreter sees it."""
        if self.root is None:
            return path
        return '/' + os.path.relpath(path, self.root)

    def sysroot_args(self):
        """What `pycore analyze` needs to read this interpreter's cores."""
        return [] if self.root is None else ['--sysroot', self.root]


def python(label):
    """The interpreter LABEL of the table (KeyError if it has none)."""
    path = dict(PYTHONS)[label]
    return Python(label, path, sid_root() if in_root(label) else None)


def pythons(labels=None):
    """The interpreters LABELS (default: every one of the table), in the
    table's order; a label the table lacks is skipped."""
    return [python(label) for label, _ in PYTHONS
            if labels is None or label in labels]


def pyenv_prefix(label):
    """The installation directory of a pyenv interpreter: .../3.13.0."""
    return os.path.dirname(os.path.dirname(dict(PYTHONS)[label]))


# ---------------------------------------------------------------- core files

def allow_cores():
    """preexec_fn of a program that must dump a core: `ulimit -c unlimited`
    (or as high as the hard limit goes without the privilege to raise it)."""
    try:
        resource.setrlimit(resource.RLIMIT_CORE,
                           (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def no_cores():
    """This script and what it runs without allow_cores (pycore above all)
    dump no core: a crash of pycore must not overwrite the core under
    analysis or be taken for one."""
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, hard))


def core_pattern():
    try:
        with open('/proc/sys/kernel/core_pattern') as f:
            return f.read().strip()
    except OSError:
        return '?'


def core_pattern_problem():
    """Why the kernel will not write `core` into the working directory, or
    None.  The setting is only read, never changed."""
    pattern = core_pattern()
    if pattern.startswith('core'):
        return None
    return ("core_pattern is '%s': the kernel does not write core files into "
            "the working directory" % pattern)


class CrashError(RuntimeError):
    """The program did not crash as asked, or left no core."""


class Core(str):
    """The path of a core; .pid is the PID that crashed."""

    def __new__(cls, path, pid):
        self = str.__new__(cls, path)
        self.pid = pid
        return self


def find_core(directory, pid):
    """DIRECTORY/core or DIRECTORY/core.PID (kernel.core_uses_pid), or None."""
    for name in ('core', 'core.%d' % pid):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    return None


def crash(command, directory, source=None, script='crash.py', env=None,
          signo=None, kill_after=None, ready=False, setup=None, timeout=TIMEOUT):
    """Run COMMAND (an argv) in DIRECTORY under `ulimit -c unlimited` and
    return the path of the core the kernel wrote there, as a Core (its .pid
    is the PID that crashed).  SOURCE, when given, is first written to
    DIRECTORY/SCRIPT.  ENV: the environment (default ours).  SIGNO: the
    signal the program must die of (default: any).  KILL_AFTER: send it
    SIGSEGV after that many seconds; READY: count them from the first line
    the program prints (it hangs once it has printed it).  SETUP: run in
    the child after the core limit is raised, before COMMAND.  Raises
    CrashError saying why there is no core: the program exited, died of
    another signal, ran over TIMEOUT seconds, or the kernel wrote nothing
    (with core_pattern).  DIRECTORY may be bytes (a name that is not
    UTF-8)."""
    directory = os.fsdecode(directory)
    os.makedirs(directory, exist_ok=True)
    if source is not None:
        with open(os.path.join(directory, script), 'w') as f:
            f.write(source)
    stale = os.path.join(directory, 'core')
    if os.path.exists(stale):
        os.unlink(stale)

    def preexec():
        allow_cores()
        if setup:
            setup()

    p = subprocess.Popen(command, cwd=directory, env=env, preexec_fn=preexec,
                         stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE if ready else subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    if ready:
        p.stdout.readline()
    if kill_after is not None:
        try:
            p.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGSEGV)
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise CrashError('%s still running after %d s (killed)'
                         % (os.fsdecode(command[0]), timeout))
    name = os.fsdecode(command[0])
    if p.returncode >= 0:
        raise CrashError('%s exited with %d, no crash: %s' % (
            name, p.returncode, err.decode('utf-8', 'replace')[-300:]))
    if signo is not None and p.returncode != -signo:
        raise CrashError('%s died of %s, not %s' % (
            name, describe_status(p.returncode), signal.Signals(signo).name))
    core = find_core(directory, p.pid)
    if core is None:
        raise CrashError('%s crashed but left no core in %s (core_pattern %r)'
                         % (name, directory, core_pattern()))
    return Core(core, p.pid)


def describe_status(rc):
    """An exit status as a reader wants it: 0, 3, "killed by SIGSEGV"."""
    if rc is None:
        return 'none (timed out or not run)'
    if rc < 0:
        try:
            return 'killed by %s' % signal.Signals(-rc).name
        except ValueError:
            return 'killed by signal %d' % -rc
    return str(rc)


# -------------------------------------------------------------------- pycore

def pycore(*args, cwd=None, env=None, text=False, timeout=TIMEOUT):
    """Run $PYCORE with ARGS; return its CompletedProcess.  ENV: variables
    added to ours.  TEXT: stdout and stderr as str (bytes that are not
    UTF-8 replaced), else bytes."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    extra = dict(encoding='utf-8', errors='replace') if text else {}
    return subprocess.run([PYCORE] + list(args), cwd=cwd,
                          env=full_env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, **extra)


# ----------------------------------------------------------------- reporting

class Reporter:
    """Prints PASS/FAIL/SKIP lines as checks end, from any thread, and the
    closing line "N passed, M failed" (", K skipped" when any)."""

    def __init__(self, pattern=None):
        self.pattern = re.compile(pattern) if pattern else None
        self.lock = threading.Lock()
        self.passed = self.failed = self.skipped = 0

    def wanted(self, name):
        """Whether the check NAME is selected by -k REGEX."""
        return self.pattern is None or self.pattern.search(name) is not None

    def _line(self, text):
        sys.stdout.write(text + '\n')
        sys.stdout.flush()

    def ok(self, name):
        with self.lock:
            self.passed += 1
            self._line('PASS ' + name)

    def fail(self, name, reason):
        reason = ' '.join(str(reason).split('\n'))
        if len(reason) > MAX_REASON:
            reason = reason[:MAX_REASON] + '...'
        with self.lock:
            self.failed += 1
            self._line('FAIL %s: %s' % (name, reason))

    def skip(self, name, reason, counts_as_failure=False):
        with self.lock:
            if counts_as_failure:
                self.failed += 1
            else:
                self.skipped += 1
            self._line('SKIP %s: %s' % (name, reason))

    def missing(self, name, why):
        """A missing interpreter (or tool, or root) of the check NAME: a
        failure unless PYCORE_ALLOW_MISSING_PYTHON=1."""
        self.skip(name, why + ('' if ALLOW_MISSING else
                               ' (a failure: set PYCORE_ALLOW_MISSING_PYTHON=1 '
                               'to allow)'),
                  counts_as_failure=not ALLOW_MISSING)

    def result(self, name, problems):
        """PASS when PROBLEMS (a list of reasons) is empty, else FAIL."""
        if problems:
            self.fail(name, '; '.join(str(p) for p in problems))
        else:
            self.ok(name)

    def summary(self):
        line = '%d passed, %d failed' % (self.passed, self.failed)
        if self.skipped:
            line += ', %d skipped' % self.skipped
        return line

    def finish(self):
        """Print the closing line; return the exit status of the script."""
        self._line(self.summary())
        return 1 if self.failed else 0

    def available(self, name, labels=None):
        """The interpreters LABELS (default all) that can run, as {label:
        Python}; each missing one is reported missing as NAME % label."""
        found = {}
        for py in pythons(labels):
            why = py.missing()
            if why:
                self.missing(name % py.label, why)
            else:
                found[py.label] = py
        return found
