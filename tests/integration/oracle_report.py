# -*- coding: utf-8 -*-
"""pycore's text report as tests/integration/run-tests reads it: the
threads, their Python and native frames, variables and the exception
being handled, and the interleaved stacks of --native, parsed by the
regular expressions of the output contract."""

import re

THREAD_RE = re.compile(
    r'^Thread (\d+) (?:"(.*)" )?\(LWP (\d+)(?:, pthread (0x[0-9a-f]+))?\)'
    r'(?: \[(.*)\])?$')
PYFRAME_RE = re.compile(r'^    File "(.*)", line (-?\d+), in (.*)$')
# A recursion collapsed as Python's tracebacks collapse it.
REPEATED_RE = re.compile(
    r'^    \[Previous (?:line|(\d+) frames) repeated (\d+) more times?\]$')
NATIVE_RE = re.compile(
    r'^    #(\d+)\s+0x([0-9a-f]+) in (\S+?)(?:\+0x[0-9a-f]+)? \((.*)\)')
NO_PYFRAME = '  <no Python frame>'
TASKS_HEADING = 'Asyncio tasks: '   # the threads end there
# --locals: "name = repr" under a frame, and what may end the list.
LOCAL_RE = re.compile(r'^        (\S+) = (.*)$')
LOCALS_NOTE_RE = re.compile(
    r'^        (\.\.\. more variables not shown|<variables unreadable: .*>)$')
EXCEPTION_RE = re.compile(r'^  While handling: (.+?)(?:: (.*))?$')
MIXED_PY_RE = re.compile(r'^    \(Python\) File "(.*)", line (-?\d+), in (.*)$')
MIXED_C_RE = re.compile(
    r'^    \(C\)      #(\d+)\s+0x[0-9a-f]+ in (\S+?)(?:\+0x[0-9a-f]+)? \(')
MIXED_APART_RE = re.compile(r'^  <native and Python frames cannot be '
                            r'interleaved: (.*)>$')


class Report:
    """pycore's text output, parsed by the regexes of the output contract."""

    def __init__(self, text):
        self.header = []
        self.threads = []
        thread = None
        for line in text.split('\n'):
            if line.startswith(TASKS_HEADING):
                break
            m = THREAD_RE.match(line)
            if m:
                thread = {
                    'number': int(m.group(1)), 'name': m.group(2),
                    'lwp': int(m.group(3)),
                    'pthread': int(m.group(4), 16) if m.group(4) else None,
                    'tags': m.group(5) or '', 'frames': [], 'native': [],
                    'no_python': False, 'exception': None,
                    'locals': [], 'locals_notes': [],
                }
                self.threads.append(thread)
                continue
            if thread is None:
                self.header.append(line)
                continue
            if line.rstrip() == NO_PYFRAME:
                thread['no_python'] = True
                continue
            m = PYFRAME_RE.match(line)
            if m:
                thread['frames'].append(
                    (m.group(1), int(m.group(2)), m.group(3)))
                thread['locals'].append({})
                continue
            m = REPEATED_RE.match(line)
            if m and thread['native']:
                # The native stack's recursion, collapsed as Python's.
                period = int(m.group(1) or 1)
                thread['native'].extend(thread['native'][-period:] * int(m.group(2)))
                continue
            if m:
                period = int(m.group(1) or 1)
                block = thread['frames'][-period:]
                thread['frames'].extend(block * int(m.group(2)))
                thread['locals'].extend(
                    [dict(d) for d in thread['locals'][-period:]] * int(m.group(2)))
                continue
            m = LOCAL_RE.match(line)
            if m and thread['locals']:
                thread['locals'][-1][m.group(1)] = m.group(2)
                continue
            m = LOCALS_NOTE_RE.match(line)
            if m:
                thread['locals_notes'].append(m.group(1))
                continue
            m = NATIVE_RE.match(line)
            if m:
                thread['native'].append(m.group(3))
                continue
            m = EXCEPTION_RE.match(line)
            if m:
                thread['exception'] = {'type': m.group(1),
                                       'message': m.group(2)}

    def thread(self, pthread):
        for t in self.threads:
            if t['pthread'] == pthread:
                return t
        return None


def fmt_frame(frame):
    if frame is None:
        return '(none)'
    return 'File "%s", line %s, in %s' % frame


def parse_mixed(text):
    """The threads of a `--native` report: their entries, ('PY', (file,
    line, name)) or ('C', (number, name)), and why they are shown apart."""
    stacks = []
    for line in text.split('\n'):
        if line.startswith(TASKS_HEADING):
            break
        m = THREAD_RE.match(line)
        if m:
            stacks.append({'lwp': int(m.group(3)),
                           'pthread': int(m.group(4), 16) if m.group(4) else None,
                           'entries': [], 'apart': None})
            continue
        if not stacks:
            continue
        m = MIXED_PY_RE.match(line)
        if m:
            stacks[-1]['entries'].append(
                ('PY', (m.group(1), int(m.group(2)), m.group(3))))
            continue
        m = MIXED_C_RE.match(line)
        if m:
            stacks[-1]['entries'].append(('C', (int(m.group(1)), m.group(2))))
            continue
        m = MIXED_APART_RE.match(line)
        if m:
            stacks[-1]['apart'] = m.group(1)
    return stacks
