# -*- coding: utf-8 -*-
"""What the report tests share: fixture A (a thread that writes through
NULL with ctypes, three levels down, while two other threads wait) and
fixture B (os.abort() in the main thread), a way to crash them and to run
pycore, the JSON schema's validator, and a parser of the text report with
which the JSON report is compared."""

import functools
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pycoretest as pt  # noqa: E402

ROOT = pt.ROOT
SCHEMA = os.path.join(ROOT, 'doc', 'pycore-report.schema.json')
INTERPRETERS = ('2.7', '3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13',
                'debian-3.11')
# The interpreter of the fingerprint and ci checks: a shared libpython, so
# that a copy of its small executable can be deleted and the Python stacks
# still read.
MAIN = '3.11'
TIMEOUT = 60

# Fixture A: the crash is in a thread, three calls down; the main thread
# waits in join() and another thread sleeps.  Runs on 2.7 and 3.6-3.13.
FIXTURE_A = '''\
import ctypes
import threading
import time

started = threading.Event()


def sleeper():
    started.set()
    time.sleep(1000)


def crash_here():
    ctypes.memset(0, 0, 1)  # CRASH


def middle(n):
    if n:
        return middle(n - 1)
    crash_here()


def worker():
    started.wait()
    time.sleep(0.2)
    middle(2)


s = threading.Thread(target=sleeper)
s.daemon = True
s.start()
t = threading.Thread(target=worker)
t.daemon = True
t.start()
t.join()
'''

# Fixture B: another crash, in the main thread.
FIXTURE_B = '''\
import os


def give_up():
    os.abort()  # CRASH


def main():
    give_up()


main()
'''

THREAD_RE = re.compile(
    r'^Thread (\d+) (?:"[^"]*" )?\(LWP (\d+), pthread (0x[0-9a-f]+)\)(?: \[(.*)\])?$')
PYFRAME_RE = re.compile(r'^    File "(.*)", line (-?\d+), in (.*)$')
UNREADABLE_RE = re.compile(r'^    <unreadable frame at (0x[0-9a-f]+): ')
# A recursion the text collapsed, native frames' as Python's.
REPEATED_RE = re.compile(r'^    \[Previous (?:line|(\d+) frames) repeated (\d+) more times?\]$')
NATIVE_RE = re.compile(
    r'^    #(\d+)\s+0x([0-9a-f]+) in (\S+?)(?:\+0x[0-9a-f]+)? \((.*?)\)'
    r'(?: at .*?)?( <signal handler called>)?$')


def crash(python, source, directory, script='crash.py'):
    """Run SOURCE as DIRECTORY/SCRIPT with PYTHON (DIRECTORY may be bytes);
    its core's path."""
    directory = os.fsdecode(directory)
    return pt.crash([python, os.path.join(directory, script)], directory, source,
                    script=script, timeout=TIMEOUT)


pycore = functools.partial(pt.pycore, timeout=TIMEOUT)


def crash_line(source):
    return [i + 1 for i, line in enumerate(source.splitlines())
            if line.rstrip().endswith('# CRASH')][0]



def load_validator():
    try:
        import jsonschema
    except ImportError:
        return None, ('python3-jsonschema is not installed '
                      '(scripts/install-deps installs it)')
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema), None


def parse_text(text):
    """The facts of a text report: header fields, threads, frames."""
    header, threads, unmatched = {}, [], 0
    thread = None
    for line in text.splitlines():
        m = THREAD_RE.match(line)
        if m:
            tags = (m.group(4) or '').split(', ')
            thread = {'number': int(m.group(1)), 'lwp': int(m.group(2)),
                      'pthread_id': int(m.group(3), 16),
                      'crashed': 'crashed' in tags,
                      'holds_gil': 'holds GIL' in tags,
                      'python': [], 'native': [],
                      'not_python': False}
            threads.append(thread)
            continue
        if line.startswith('Python thread state at '):
            unmatched += 1
            thread = None
            continue
        if thread is None:
            if ':' in line and not line.startswith(' '):
                key, _, value = line.partition(':')
                header.setdefault(key, value.strip())
            continue
        m = PYFRAME_RE.match(line)
        if m:
            thread['python'].append((m.group(1), int(m.group(2)), m.group(3)))
            continue
        m = UNREADABLE_RE.match(line)
        if m:
            thread['python'].append(None)
            continue
        if line == '  <not a Python thread>':
            thread['not_python'] = True
            continue
        m = NATIVE_RE.match(line)
        if m:
            thread['native'].append((int(m.group(2), 16), m.group(3), m.group(4),
                                     bool(m.group(5))))
            continue
        m = REPEATED_RE.match(line)
        if m and thread['native']:
            period = int(m.group(1) or 1)
            thread['native'].extend(thread['native'][-period:] * int(m.group(2)))
    return header, threads, unmatched


def text_escaped(text):
    """TEXT as the text report prints it: control characters as \\xNN."""
    return re.sub('[\x00-\x1f\x7f]', lambda m: '\\x%02x' % ord(m.group()), text)


def compare(report, text):
    """Where the JSON REPORT and the text report TEXT disagree."""
    problems = []
    header, threads, unmatched = parse_text(text)
    fingerprint = report['fingerprint']['id']
    if header.get('Fingerprint') != fingerprint:
        problems.append('fingerprint: text %r, JSON %r' % (
            header.get('Fingerprint'), fingerprint))
    signal = report['signal']['name'] or 'signal %d' % report['signal']['number']
    if not header.get('Signal', '').startswith(signal):
        problems.append('signal: text %r, JSON %r' % (header.get('Signal'), signal))
    if report['python']['version'] and not header.get('Python', '').startswith(
            report['python']['version'] + ' in '):
        problems.append('python: text %r, JSON %r' % (
            header.get('Python'), report['python']['version']))
    executable = report['executable']['path']
    if executable and not header.get('Executable', '').startswith(executable + ' ('):
        problems.append('executable: text %r, JSON %r' % (
            header.get('Executable'), executable))
    if unmatched != len(report['unmatched_thread_states']):
        problems.append('unmatched thread states: text %d, JSON %d' % (
            unmatched, len(report['unmatched_thread_states'])))
    if len(threads) != len(report['threads']):
        problems.append('threads: text %d, JSON %d' % (len(threads), len(report['threads'])))
        return problems
    for ours, theirs in zip(report['threads'], threads):
        name = 'thread %d' % theirs['number']
        for key in ('number', 'lwp', 'crashed', 'holds_gil'):
            if ours[key] != theirs[key]:
                problems.append('%s %s: text %r, JSON %r' % (name, key, theirs[key], ours[key]))
        if int(ours['pthread_id'], 16) != theirs['pthread_id']:
            problems.append('%s pthread id differs' % name)
        if (ours['python'] is None) != theirs['not_python']:
            problems.append('%s: Python thread in one report only' % name)
        frames = [None if f['error'] else
                  (text_escaped(f['file']), -1 if f['line'] is None else f['line'],
                   text_escaped(f['name']))
                  for f in (ours['python'] or {'frames': []})['frames']]
        if frames != theirs['python']:
            problems.append('%s Python frames: text %r, JSON %r' % (
                name, theirs['python'], frames))
        native = [(int(f['pc'], 16), f['symbol'] or '??', f['module'] or '?',
                   f['signal_trampoline']) for f in ours['native']['frames']]
        if native != theirs['native']:
            problems.append('%s native frames differ: text %d, JSON %d frames' % (
                name, len(theirs['native']), len(native)))
        for f in ours['native']['frames']:
            if f['module'] and not f['build_id']:
                problems.append('%s: no build-id for %s' % (name, f['module']))
                break
    return problems



def fingerprint_of(core, *options):
    p = pycore('analyze', '--format', 'json', *(options + (core,)))
    return json.loads(p.stdout.decode('utf-8'))['fingerprint']



def begin():
    """The reporter of a report test, and whether pycore can be run: a
    crash of pycore must not leave a core among the ones under test."""
    rep = pt.Reporter()
    pt.no_cores()
    if not os.access(pt.PYCORE, os.X_OK):
        rep.result('pycore', ['%s is not an executable (set PYCORE)' % pt.PYCORE])
        return rep, False
    return rep, True


def validator_or_failure(rep):
    """The schema's validator; its absence is a failure of its own."""
    validator, why = load_validator()
    if not validator:
        rep.result('json-schema', [why])
    return validator
