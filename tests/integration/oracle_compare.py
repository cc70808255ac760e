# -*- coding: utf-8 -*-
"""What tests/integration/run-tests compares with the oracle a crashing
fixture wrote (fixtures/oracle.py): the core's own notes, the threads and
frames of pycore's report, the variables of --locals, and what each
fixture says of itself in its `# pycore-test:` lines."""

import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pycoretest as pt  # noqa: E402
from oracle_report import fmt_frame  # noqa: E402

FIXTURES = pt.FIXTURES


def core_notes(path):
    """(pid, [(lwp, fs_base)]): the process id from NT_PRPSINFO and, from
    the NT_PRSTATUS notes of an x86_64 core in order (the first is the
    thread that got the signal), each thread's LWP and fs_base (=
    pthread_self())."""
    with open(path, 'rb') as f:
        ehdr = f.read(64)
        if ehdr[:4] != b'\x7fELF' or ehdr[4] != 2:
            raise ValueError('not an ELF64 file')
        e_type, = struct.unpack_from('<H', ehdr, 16)
        if e_type != 4:
            raise ValueError('not a core (e_type %d)' % e_type)
        e_phoff, = struct.unpack_from('<Q', ehdr, 0x20)
        e_phentsize, e_phnum = struct.unpack_from('<HH', ehdr, 0x36)
        threads = []
        pid = None
        for i in range(e_phnum):
            f.seek(e_phoff + i * e_phentsize)
            p_type, _, p_offset, _, _, p_filesz = struct.unpack(
                '<IIQQQQ', f.read(40))
            if p_type != 4:  # PT_NOTE
                continue
            f.seek(p_offset)
            data = f.read(p_filesz)
            pos = 0
            while pos + 12 <= len(data):
                namesz, descsz, ntype = struct.unpack_from('<III', data, pos)
                pos += 12 + ((namesz + 3) & ~3)
                desc = data[pos:pos + descsz]
                pos += (descsz + 3) & ~3
                if ntype == 1 and len(desc) >= 112 + 27 * 8:  # NT_PRSTATUS
                    lwp, = struct.unpack_from('<i', desc, 32)
                    fs_base, = struct.unpack_from('<Q', desc, 112 + 21 * 8)
                    threads.append((lwp, fs_base))
                elif ntype == 3 and len(desc) >= 28:  # NT_PRPSINFO
                    pid, = struct.unpack_from('<i', desc, 24)
        return pid, threads


def compare_thread_name(what, got, want):
    """The thread's name, daemon flag and LWP as threading knew them."""
    problems = []
    name = want.get('name') or None
    if got['name'] != name:
        problems.append('%s: name: expected %r, got %r'
                        % (what, name, got['name']))
    tags = [tag.strip() for tag in got['tags'].split(',')]
    if name is not None and want.get('daemon') != ('daemon' in tags):
        problems.append('%s: daemon: expected %s, tags [%s]'
                        % (what, want.get('daemon'), got['tags']))
    if want.get('native_id') and want['native_id'] != got['lwp']:
        problems.append('%s: LWP %d, threading says native_id %d'
                        % (what, got['lwp'], want['native_id']))
    return problems


def compare_with_oracle(report, oracle):
    """Problems (strings) where pycore's report differs from the oracle."""
    problems = []
    if not report.threads:
        return ['no thread in the report']
    crashing = oracle['crashing_ident']
    first = report.threads[0]
    if first['pthread'] != crashing:
        problems.append('first thread printed is pthread %s, the crashing '
                        'thread is 0x%x' % (
                            '0x%x' % first['pthread']
                            if first['pthread'] is not None else 'unknown',
                            crashing))
    elif 'crashed' not in first['tags']:
        problems.append('crashing thread not tagged [crashed]: [%s]'
                        % first['tags'])
    known = set()
    for t in oracle['threads']:
        ident = t['ident']
        known.add(ident)
        what = 'thread 0x%x (%s)' % (ident, t['name'] or '?')
        got = report.thread(ident)
        if got is None:
            problems.append(what + ' missing')
            continue
        problems += compare_thread_name(what, got, t)
        if got.get('exception') != t.get('exception'):
            problems.append('%s: exception being handled: expected %s, got %s'
                            % (what, t.get('exception'), got.get('exception')))
        want = [(f['file'], f['line'], f['name']) for f in t['frames']]
        have = got['frames']
        if want == have:
            continue
        if not have:
            problems.append('%s: no Python frame printed, expected %d'
                            % (what, len(want)))
            continue
        for i in range(max(len(want), len(have))):
            w = want[i] if i < len(want) else None
            h = have[i] if i < len(have) else None
            if w != h:
                problems.append('%s: frame %d: expected %s, got %s '
                                '(%d frames expected, %d printed)'
                                % (what, i, fmt_frame(w), fmt_frame(h),
                                   len(want), len(have)))
                break
    for t in report.threads:
        if t['pthread'] not in known and t['frames']:
            problems.append('thread LWP %d (pthread %s) has Python frames but '
                            'is not in the oracle' % (
                                t['lwp'], '0x%x' % t['pthread']
                                if t['pthread'] is not None else '?'))
    return problems


def oracle_has_locals(oracle):
    return any('locals' in f for t in oracle['threads'] for f in t['frames'])


def compare_locals(report, oracle):
    """Problems where the variables pycore printed (--locals) differ from
    the oracle's: every frame that has "locals" in the oracle must show
    exactly those names, each with exactly the oracle's repr, or for a
    null one (a value the fixture corrupted) a repr with an <unreadable
    marker."""
    problems = []
    for t in oracle['threads']:
        got = report.thread(t['ident'])
        if got is None:
            continue
        for note in got['locals_notes']:
            problems.append('thread 0x%x: %s' % (t['ident'], note))
        for i, frame in enumerate(t['frames']):
            if 'locals' not in frame:
                continue
            what = 'frame %d (%s)' % (i, frame['name'])
            have = got['locals'][i] if i < len(got['locals']) else {}
            want = frame['locals']
            for name in sorted(set(want) | set(have)):
                if name not in have:
                    problems.append('%s: %s not printed' % (what, name))
                elif name not in want:
                    problems.append('%s: %s = %s printed, not a variable '
                                    'of the frame' % (what, name, have[name]))
                elif want[name] is None:
                    if '<unreadable' not in have[name]:
                        problems.append('%s: %s = %s, expected an '
                                        '<unreadable marker' % (
                                            what, name, have[name]))
                elif want[name] != have[name]:
                    problems.append('%s: %s: expected %s, got %s'
                                    % (what, name, want[name], have[name]))
    return problems


def fixture_name(fixture):
    return fixture[len('crash_'):-len('.py')]


def fixture_is_fatal(fixture):
    with open(os.path.join(FIXTURES, fixture), encoding='utf-8') as f:
        return re.search(r'^# pycore-test: fatal$', f.read(), re.M) is not None


def fatal_problems(fixture, report):
    """A fixture that calls Py_FatalError() must be reported as a fatal
    error in the header, and no other may be."""
    said = any(line.startswith('Fatal error:') for line in report.header)
    if fixture_is_fatal(fixture) and not said:
        return ['no "Fatal error:" line in the header']
    if said and not fixture_is_fatal(fixture):
        return ['a "Fatal error:" line for a crash that is not one']
    return []


def fixture_mixed_pattern(fixture):
    """The alternation of C and Python frames in the crashing thread's
    `--native` stack, from the fixture's `# pycore-test: mixed=` line."""
    with open(os.path.join(FIXTURES, fixture), encoding='utf-8') as f:
        m = re.search(r'^# pycore-test: mixed=(\S+)', f.read(), re.M)
    return m.group(1).split(',') if m else None


def fixture_expectation(fixture):
    with open(os.path.join(FIXTURES, fixture), encoding='utf-8') as f:
        m = re.search(r'^# pycore-test: expect=(\S+)', f.read(), re.M)
    return m.group(1) if m else 'SIGSEGV'


def pycore_status_problems(rc, err):
    if rc == 0:
        return []
    if rc == 3:
        return ['exit status 3 (partial report): %s'
                % (err.strip().split('\n') or [''])[-1]]
    return ['exit status %s: %s' % (pt.describe_status(rc),
                                    ' | '.join(err.strip().split('\n')[-3:]))]
