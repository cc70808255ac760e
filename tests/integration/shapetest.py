# -*- coding: utf-8 -*-
"""What the tests of crash shapes share: a fault or an abort two calls
down (FIXTURE_FAULT), a way to crash a fixture and to run pycore, the
header lines they read, and the run of a script's checks on the
interpreters it needs."""

import concurrent.futures
import functools
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pycoretest as pt  # noqa: E402

# The interpreter of the checks that need one core, any core.
MAIN = '3.11'
TIMEOUT = 120

# A fault (KIND "segv") or an abort(): two calls down, with faulthandler
# enabled when FAULTHANDLER is true.
FIXTURE_FAULT = '''\
import ctypes
import os
import sys

if FAULTHANDLER:
    import faulthandler
    faulthandler.enable()


def fail():
    if KIND == 'segv':
        ctypes.memset(0, 0, 1)  # CRASH
    os.abort()


def outer():
    fail()


outer()
'''


FINGERPRINT_RE = re.compile(r'^Fingerprint: ([0-9a-f]+)$', re.M)
SIGNAL_RE = re.compile(r'^Signal:      (.*)$', re.M)
ABORT_RE = re.compile(r'^Abort:       (.*)$', re.M)


def crash(python, source, directory):
    """Run SOURCE as DIRECTORY/crash.py with PYTHON; its core's path."""
    return pt.crash([python, os.path.join(directory, 'crash.py')], directory, source,
                    timeout=TIMEOUT)


pycore = functools.partial(pt.pycore, text=True, timeout=TIMEOUT)


def header(text, pattern):
    m = pattern.search(text)
    return m.group(1) if m else None


def fingerprint_of(*args):
    p = pycore('analyze', '--format', 'json', *args)
    if p.returncode != 0:
        return 'exit %d: %s' % (p.returncode, p.stderr.strip())
    return json.loads(p.stdout)['fingerprint']['canonical']


def run(labels, submit):
    """Run a script's checks: SUBMIT(rep, pool, available, tmp) submits
    them to POOL and returns their futures, AVAILABLE being {label: path}
    of the interpreters LABELS that can run (each missing one is reported
    as python-LABEL); returns the script's exit status."""
    rep = pt.Reporter()
    # A crash of pycore must not leave a core among the ones under test.
    pt.no_cores()
    if not os.access(pt.PYCORE, os.X_OK):
        rep.result('pycore', ['%s is not an executable (set PYCORE)' % pt.PYCORE])
        return rep.finish()
    available = dict((label, python.path) for label, python in
                     rep.available('python-%s', labels).items())
    tmp = tempfile.mkdtemp(prefix='pycore-shapes.')
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for job in submit(rep, pool, available, tmp):
                job.result()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rep.finish()
