# -*- coding: utf-8 -*-
"""Bad input and usage errors: pycore on a missing file, a directory, an
empty file, text, an ELF that is not a core, a core of another
architecture, a truncated core and a missing executable, and on command
lines it must refuse; checks of tests/integration/run-tests's Suite."""

import os
import re
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pycoretest as pt  # noqa: E402


class BadInputChecks:
    """The bad-input/ and usage/ checks, for a Suite that can crash a
    fixture and run pycore."""

    BAD_INPUT = ['missing', 'directory', 'empty', 'text', 'not-core',
                 'riscv', 'truncated', 'missing-exe']
    USAGE = ['no-args', 'no-core', 'unknown-option', 'unknown-command',
             'bad-layout', 'too-many-args']

    def bad_input_checks(self):
        return (['bad-input/' + n for n in self.BAD_INPUT]
                + ['usage/' + n for n in self.USAGE])

    def bad_input_job(self, interp):
        wanted = [n for n in self.bad_input_checks() if self.selected(n)]
        if not wanted:
            return
        outdir = os.path.join(self.out, 'bad-input')
        os.makedirs(outdir, exist_ok=True)
        workdir = tempfile.mkdtemp(prefix='pycore-it-')
        failed = False
        try:
            fixture = 'crash_signal.py'
            problems, pid, rc = self.crash(interp, fixture, workdir, outdir)
            if not problems:
                problems = self.check_crash(interp, fixture, workdir, pid,
                                            rc)[0]
            if problems:
                failed = True
                for n in wanted:
                    self.rep.fail(n, 'no core to start from (%s, %s): %s'
                                  % (interp.label, fixture,
                                     '; '.join(problems)))
                return
            core = os.path.join(workdir, 'core')
            with open(core, 'rb') as f:
                data = f.read()
            files = {
                'missing': os.path.join(workdir, 'no-such-core'),
                'directory': os.path.join(workdir, 'fixtures'),
                'empty': os.path.join(workdir, 'empty'),
                'text': os.path.join(workdir, 'text.core'),
                'not-core': '/bin/true',
                'riscv': os.path.join(workdir, 'riscv.core'),
                'truncated': os.path.join(workdir, 'truncated.core'),
            }
            open(files['empty'], 'wb').close()
            with open(files['text'], 'w') as f:
                f.write('this is not a core dump\n' * 100)
            # aarch64 cores are read (test-aarch64); RISC-V's (243) not.
            with open(files['riscv'], 'wb') as f:
                f.write(data[:18] + struct.pack('<H', 243) + data[20:])
            with open(files['truncated'], 'wb') as f:
                f.write(data[:len(data) // 2])
            for name in self.BAD_INPUT:
                full = 'bad-input/' + name
                if full not in wanted:
                    continue
                if name == 'missing-exe':
                    target = os.path.join(workdir, 'no-such-python')
                    args = ['analyze', core, target]
                else:
                    target = files[name]
                    args = ['analyze', target]
                rc, out, err = self.run_pycore(args, workdir, outdir, name)
                if name == 'truncated':
                    problems = []
                    if rc not in (0, 3):
                        problems.append('exit status %s, expected 0 or 3'
                                        % pt.describe_status(rc))
                    if not re.search(r'truncat', out + err, re.I):
                        problems.append('neither stdout nor stderr says the '
                                        'core is truncated')
                else:
                    problems = bad_input_problems(rc, err, target)
                if problems:
                    failed = True
                self.rep.result(full, problems)
            usage = {
                'no-args': [],
                'no-core': ['analyze'],
                'unknown-option': ['analyze', '--no-such-option', core],
                'unknown-command': ['no-such-command', core],
                'bad-layout': ['analyze', '--layout', 'no-such-layout', core],
                'too-many-args': ['analyze', core, interp.exe, 'extra'],
            }
            for name in self.USAGE:
                full = 'usage/' + name
                if full not in wanted:
                    continue
                rc, out, err = self.run_pycore(usage[name], workdir, outdir,
                                               'usage-' + name)
                problems = []
                if rc != 2:
                    problems.append('exit status %s, expected 2'
                                    % pt.describe_status(rc))
                if not err.strip():
                    problems.append('nothing on stderr')
                if problems:
                    failed = True
                self.rep.result(full, problems)
        except Exception as e:
            failed = True
            self.rep.fail('bad-input', 'driver error: %r' % (e,))
        finally:
            self.finish_workdir(workdir, outdir, failed)


def bad_input_problems(rc, err, target):
    problems = []
    if rc != 1:
        problems.append('exit status %s, expected 1' % pt.describe_status(rc))
    lines = [l for l in err.split('\n') if l.strip()]
    if len(lines) != 1:
        problems.append('%d lines on stderr, expected 1' % len(lines))
    if not any(target in l or os.path.basename(target) in l for l in lines):
        problems.append('stderr does not name %s' % target)
    return problems
