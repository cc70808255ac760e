# -*- coding: utf-8 -*-
"""What the tests of `pycore handle` as root share: crashes of Python
fixtures into real cores, a run of the handler as the kernel runs it, the
spool it wrote, small tmpfs spools, and the run of a script's checks."""

import argparse
import glob
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pycoretest as pt  # noqa: E402

PYTHON = '/usr/bin/python3'
PYTHON_REAL = '/usr/bin/python3.11'
TIMEOUT = 120
UNLIMITED = str(2 ** 64 - 1)
USER, OTHER = 1234, 1235
LOG_RE = re.compile(r'^pycore: PID (\d+) \((.*)\), (SIG\w+): (.*); report (\S+\.txt)', re.M)

SIMPLE_PY = '''\
import ctypes
def handle():
    ctypes.string_at(0)
handle()
'''

DEEP_PY = '''\
import ctypes, sys, threading
sys.setrecursionlimit(10000)
ready = threading.Barrier(31)
# Two functions in Thue-Morse order: no run of frames repeats three times,
# so the stack cannot be collapsed and only the frame cap bounds it.
def down(n):
    if n:
        return (down if bin(n).count("1") % 2 else across)(n - 1)
    ready.wait()
    threading.Event().wait()
def across(n):
    if n:
        return (down if bin(n).count("1") % 2 else across)(n - 1)
    ready.wait()
    threading.Event().wait()
for _ in range(30):
    threading.Thread(target=down, args=(3000,), daemon=True).start()
ready.wait()
def crash():
    ctypes.string_at(0)
crash()
'''


def as_user(uid):
    return ['setpriv', '--reuid=%d' % uid, '--regid=%d' % uid, '--clear-groups']


class HandlerSuite:
    """The fixtures of the checks: a subclass adds its check_* methods."""

    def __init__(self, args, rep, work):
        self.pycore = args.pycore
        self.rep = rep
        self.work = work
        self.secret = 'PYCORE-SECRET-' + secrets.token_hex(12)
        self.secret_path = os.path.join(work, 'secret')
        with open(self.secret_path, 'w') as f:
            f.write(''.join('%s line %d\n' % (self.secret, i) for i in range(1, 41)))
        os.chmod(self.secret_path, 0o600)
        self.mounts = []

    # ------------------------------------------------------------ fixtures

    def directory(self, name, mode=0o755):
        path = os.path.join(self.work, name)
        os.mkdir(path)
        os.chmod(path, mode)
        return path

    def crash(self, name, script, user=None, python=PYTHON):
        """Run SCRIPT as crash.py with PYTHON in a fresh directory (as USER
        when given); return the core's bytes and the PID that crashed."""
        directory = self.directory(name, 0o777)
        argv = (as_user(user) if user else []) + [python, 'crash.py']
        core = pt.crash(argv, directory, script, signo=signal.SIGSEGV, timeout=TIMEOUT)
        with open(core, 'rb') as f:
            return f.read(), core.pid

    def tmpfs(self, name, size):
        path = self.directory(name, 0o700)
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%s,mode=0700' % size,
                        'pycore-test', path], check=True, timeout=TIMEOUT)
        self.mounts.append(path)
        return path

    def unmount(self):
        for path in reversed(self.mounts):
            subprocess.run(['umount', path], timeout=TIMEOUT)

    def handle(self, spool, args, data, pid, uid=0, gid=0, when=None, stdin=None,
               host=('testhost',), dump_mode=1, env=None):
        """Run pycore handle as the kernel would: (rc, stderr, seconds).
        HOST is %h's words, as kernels before 5.3 split it; DUMP_MODE is
        %d (1: a plain dump), None for a core_pattern without it."""
        mode = [] if dump_mode is None else ['-d%d' % dump_mode]
        argv = [self.pycore, 'handle', '--dir', spool] + args + mode + [
            str(pid), str(uid), str(gid), '11',
            str(when if when is not None else int(time.time())), UNLIMITED] + list(host)
        start = time.time()
        p = subprocess.Popen(argv, stdin=stdin or subprocess.PIPE, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            if stdin is None:
                try:
                    p.stdin.write(data)
                except BrokenPipeError:
                    pass
                p.stdin.close()
            err = p.stderr.read()
            p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return None, 'timed out', time.time() - start
        return p.returncode, err.decode('utf-8', 'replace'), time.time() - start

    def written(self, spool):
        """{name: bytes} of every file in the spool."""
        files = {}
        for path in glob.glob(os.path.join(spool, '*')) + glob.glob(os.path.join(spool, '.*')):
            if os.path.isfile(path):
                with open(path, 'rb') as f:
                    files[os.path.basename(path)] = f.read()
        return files

    def report(self, spool, err):
        """The text of the report the log names, or None."""
        m = LOG_RE.search(err)
        if not m or not os.path.isfile(m.group(5)):
            return None
        with open(m.group(5), encoding='utf-8', errors='replace') as f:
            return f.read()

    def no_secret(self, spool, err):
        problems = []
        for name, data in self.written(spool).items():
            if self.secret.encode() in data:
                problems.append('the secret is in %s' % name)
        if self.secret in err:
            problems.append('the secret is in the log')
        return problems

    def check(self, name, function, *args):
        if not self.rep.wanted(name):
            return
        try:
            problems = function(*args)
        except Exception as e:  # a broken check is a failure, not a crash
            problems = ['%s: %s' % (type(e).__name__, e)]
        self.rep.result(name, problems)


def run(doc, suite_class, checks):
    """Run CHECKS, (name, method of SUITE_CLASS), as root: the command line
    is --pycore PATH, -k REGEX and --keep; returns the exit status."""
    parser = argparse.ArgumentParser(description=doc.split('\n')[0])
    parser.add_argument('--pycore', default=pt.PYCORE)
    parser.add_argument('-k', dest='pattern', help='run the checks whose name matches')
    parser.add_argument('--keep', action='store_true', help='keep the temporary directory')
    args = parser.parse_args()
    args.pycore = os.path.abspath(args.pycore)
    rep = pt.Reporter(args.pattern)
    work = tempfile.mkdtemp(prefix='pycore-attacks.')
    os.chmod(work, 0o755)
    suite = None
    try:
        if os.geteuid() != 0:
            raise RuntimeError('the handler runs as root: run this as root')
        problem = pt.core_pattern_problem()
        if problem:
            raise RuntimeError(problem)
        suite = suite_class(args, rep, work)
        for name, check in checks:
            suite.check(name, getattr(suite, check))
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        rep.result('attacks set-up', [str(e)])
    finally:
        if suite:
            suite.unmount()
        if args.keep:
            print('outputs kept in %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return rep.finish()
