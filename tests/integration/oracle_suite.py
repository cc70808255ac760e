# -*- coding: utf-8 -*-
"""The suite of tests/integration/run-tests: for one interpreter and one
fixture, the crash into a real core and the oracle the fixture wrote, the
runs of pycore on that core, and the checks of its reports against the
oracle (the native ones in oracle_native.py, bad input and usage errors
in oracle_bad_input.py)."""

import json
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pycoretest as pt  # noqa: E402
from oracle_bad_input import BadInputChecks  # noqa: E402
from oracle_compare import (  # noqa: E402
    compare_locals, compare_with_oracle, core_notes, fatal_problems, fixture_expectation,
    fixture_name, oracle_has_locals, pycore_status_problems)
from oracle_native import GDB_CHECKED, GDB_NATIVE_FIXTURES, NativeChecks  # noqa: E402
from oracle_report import Report  # noqa: E402

ROOT = pt.ROOT
FIXTURES = pt.FIXTURES
FIXTURE_TIMEOUT = 90      # seconds for one crash (the pool fixture waits)
PYCORE_TIMEOUT = 120
KEEP_CORES = 10           # cores of failed runs kept for inspection


class Suite(NativeChecks, BadInputChecks):
    def __init__(self, args, reporter):
        self.args = args
        self.rep = reporter
        self.pattern = re.compile(args.k) if args.k else None
        self.out = args.output
        self.pycore = args.pycore
        self.eu_stack = shutil.which('eu-stack')
        self.kept_cores = 0
        self.lock = threading.Lock()

    def selected(self, name):
        return self.pattern is None or self.pattern.search(name) is not None

    def keep_core(self):
        with self.lock:
            self.kept_cores += 1
            return self.kept_cores <= KEEP_CORES

    def run_pycore(self, args, cwd, outdir, name):
        """Run pycore; keep its output in OUTDIR/NAME.{stdout,stderr}."""
        cmd = [self.pycore] + args
        env = dict(os.environ, LC_ALL='C.UTF-8')
        try:
            p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE,
                               timeout=PYCORE_TIMEOUT)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = None, e.stdout or b'', e.stderr or b''
            err += b'\n(run-tests: killed after %d s)' % PYCORE_TIMEOUT
        except OSError as e:  # e.g. pycore being rebuilt right now
            rc, out, err = None, b'', ('run-tests: cannot run %s: %s'
                                       % (self.pycore, e)).encode()
        os.makedirs(outdir, exist_ok=True)
        with open(os.path.join(outdir, name + '.stdout'), 'wb') as f:
            f.write(out)
        with open(os.path.join(outdir, name + '.stderr'), 'wb') as f:
            f.write(('$ cd %s && %s\n# exit status %s\n'
                     % (cwd, ' '.join(cmd), rc)).encode() + err)
        return (rc, out.decode('utf-8', 'surrogateescape'),
                err.decode('utf-8', 'surrogateescape'))

    # -------------------------------------------------- one crash, its checks

    def fixture_checks(self, interp, fixture):
        base = '%s/%s' % (interp.label, fixture_name(fixture))
        names = ['crash', 'auto']
        if interp.stripped_from:
            names.append('layout-source')
        else:
            names.append('exe')
            names += interp.layouts()
        if interp.root is None or (fixture in GDB_NATIVE_FIXTURES
                                   and not interp.stripped_from):
            names.append('native')
        names.append('mixed')
        if interp.label in GDB_CHECKED:
            names.append('gdb')
            names.append('native-source')
        return [base + '/' + n for n in names]

    def crash(self, interp, fixture, workdir, outdir):
        """Run FIXTURE under INTERP in WORKDIR; returns (problems, parent
        pid, return code)."""
        pt.copy_fixtures(workdir)
        script = os.path.join(workdir, 'fixtures', fixture)
        env = dict(os.environ)
        for var in ('PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP',
                    'PYTHONWARNINGS', 'PYTHONINSPECT', 'LD_LIBRARY_PATH'):
            env.pop(var, None)
        env.update(interp.env)
        env.update(LC_ALL='C.UTF-8', LANG='C.UTF-8',
                   PYTHONDONTWRITEBYTECODE='1',
                   PYCORE_ORACLE=interp.inside(os.path.join(workdir,
                                                            'oracle.json')))
        log = open(os.path.join(outdir, 'fixture.log'), 'wb')
        log.write(('$ cd %s && ulimit -c unlimited && %sPYCORE_ORACLE=oracle'
                   '.json %s %s\n' % (
                       workdir, ''.join('%s=%s ' % kv for kv in
                                        sorted(interp.env.items())),
                       interp.path, script)).encode())
        log.flush()
        p = subprocess.Popen(interp.command([interp.inside(script)],
                                            interp.inside(workdir)),
                             cwd=workdir, env=env,
                             stdin=subprocess.DEVNULL, stdout=log,
                             stderr=subprocess.STDOUT,
                             preexec_fn=pt.allow_cores, start_new_session=True)
        try:
            rc = p.wait(timeout=FIXTURE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            log.close()
            return ['fixture still running after %ds (killed)'
                    % FIXTURE_TIMEOUT], p.pid, None
        log.close()
        # A pool's leftover processes, if any, are not ours to wait for.
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
        return [], p.pid, rc

    def check_crash(self, interp, fixture, workdir, parent_pid, rc):
        """Problems with the crash itself, and the oracle."""
        expect = fixture_expectation(fixture)
        problems = []
        if expect == 'exit0':
            if rc != 0:
                problems.append('fixture exited with %s, expected 0' % rc)
        else:
            signo = getattr(signal, expect)
            if rc != -signo:
                problems.append('fixture ended with status %s, expected %s'
                                % (pt.describe_status(rc), expect))
        core = os.path.join(workdir, 'core')
        oracle_path = os.path.join(workdir, 'oracle.json')
        if not os.path.exists(core):
            problems.append('no core written (core_pattern %r, RLIMIT_CORE '
                            'hard limit %s)' % (
                                pt.core_pattern(),
                                resource.getrlimit(resource.RLIMIT_CORE)[1]))
        if not os.path.exists(oracle_path):
            problems.append('no oracle.json written')
        if problems:
            return problems, None, None
        with open(oracle_path) as f:
            oracle = json.load(f)
        try:
            core_pid, threads = core_notes(core)
        except (ValueError, OSError, struct.error) as e:
            return ['core unreadable: %s' % e], oracle, None
        if not threads or core_pid is None:
            return ['core has no NT_PRSTATUS or NT_PRPSINFO note'], oracle, \
                None
        if core_pid != oracle['pid']:
            problems.append('core is of pid %d, the oracle of pid %d'
                            % (core_pid, oracle['pid']))
        if expect == 'exit0' and oracle['pid'] == parent_pid:
            problems.append('oracle written by the parent, not by the child')
        if threads[0][1] != oracle['crashing_ident']:
            problems.append('the core\'s first thread has fs_base 0x%x, the '
                            'oracle\'s crashing thread is 0x%x'
                            % (threads[0][1], oracle['crashing_ident']))
        if tuple(oracle['version']) != interp.version:
            problems.append('oracle version %s, interpreter %s'
                            % (oracle['version'], interp.version))
        if interp.stripped_from:
            prefix = interp.inside(os.path.dirname(os.path.dirname(
                interp.exe))) + '/'
            if os.path.realpath((interp.root or '') + oracle['executable']) \
                    != interp.exe:
                problems.append('ran %s, not the stripped copy'
                                % oracle['executable'])
            lib = oracle.get('libpython')
            if lib and not lib.startswith(prefix):
                problems.append('mapped %s, not the stripped copy' % lib)
        return problems, oracle, threads

    def fixture_job(self, interp, fixture):
        names = self.fixture_checks(interp, fixture)
        wanted = [n for n in names if self.selected(n)]
        if not wanted:
            return
        base = names[0].rsplit('/', 1)[0]
        outdir = os.path.join(self.out, interp.label, fixture_name(fixture))
        os.makedirs(outdir, exist_ok=True)
        workdir = tempfile.mkdtemp(prefix='pycore-it-', dir=interp.root and
                                   os.path.join(interp.root, 'tmp'))
        failed = False

        def report(name, problems):
            nonlocal failed
            if problems:
                failed = True
            if base + '/' + name in wanted or problems and name == 'crash':
                self.rep.result(base + '/' + name, problems)

        try:
            problems, parent_pid, rc = self.crash(interp, fixture, workdir,
                                                  outdir)
            oracle = threads = None
            if not problems:
                problems, oracle, threads = self.check_crash(
                    interp, fixture, workdir, parent_pid, rc)
            if oracle is not None:
                shutil.copy(os.path.join(workdir, 'oracle.json'), outdir)
            report('crash', problems)
            if problems:
                for n in wanted:
                    if not n.endswith('/crash'):
                        self.rep.fail(n, 'no usable core (see %s/crash)'
                                      % base)
                return
            runs = [('auto', [])]
            if interp.stripped_from:
                runs.append(('layout-source', None))
            else:
                runs.append(('exe', ['EXE']))
                runs += [(lay, ['--layout', lay]) for lay in interp.layouts()]
            auto_report = None
            for name, opts in runs:
                if name == 'layout-source':
                    if base + '/' + name in wanted:
                        report(name, self.check_layout_source(
                            interp, outdir))
                    continue
                if base + '/' + name not in wanted and not (
                        name == 'auto' and (base + '/native' in wanted
                                            or base + '/gdb' in wanted)):
                    continue
                args = ['analyze'] + [o for o in opts if o != 'EXE'] + ['core']
                if oracle_has_locals(oracle):
                    args.insert(1, '--locals')
                if 'EXE' in opts:
                    args.append(interp.exe)
                rc, out, err = self.run_pycore(interp.pycore_args(args),
                                               workdir, outdir, name)
                problems = pycore_status_problems(rc, err)
                rep = Report(out)
                if rc in (0, 3):
                    problems += compare_with_oracle(rep, oracle)
                    problems += compare_locals(rep, oracle)
                if name == 'auto':
                    auto_report = (rc, rep, out)
                    problems += fatal_problems(fixture, rep)
                if base + '/' + name in wanted:
                    report(name, problems)
            if base + '/native' in wanted:
                report('native', self.check_native(
                    interp, workdir, outdir, threads, auto_report))
            if base + '/mixed' in wanted:
                report('mixed', self.check_mixed(interp, fixture, workdir, outdir,
                                                 oracle, threads))
            if base + '/native-source' in wanted:
                report('native-source', self.check_native_source(
                    workdir, outdir, auto_report))
            if base + '/gdb' in wanted:
                report('gdb', self.check_gdb(interp, workdir, outdir,
                                             auto_report))
        except Exception as e:  # a bug of the driver: say where
            failed = True
            self.rep.fail(base + '/crash', 'driver error: %r' % (e,))
        finally:
            self.finish_workdir(workdir, outdir, failed)

    def check_layout_source(self, interp, outdir):
        """A stripped build has no DWARF: the report must say that pycore
        used its tables (3.13+: _Py_DebugOffsets)."""
        try:
            with open(os.path.join(outdir, 'auto.stdout'), 'rb') as f:
                out = f.read().decode('utf-8', 'replace')
            with open(os.path.join(outdir, 'auto.stderr'), 'rb') as f:
                err = f.read().decode('utf-8', 'replace')
        except OSError:
            return ['no output of the auto run']
        head = '\n'.join(Report(out).header) + '\n' + err
        if interp.version >= (3, 13):
            if not re.search(r'_Py_DebugOffsets|debug.offsets', head, re.I):
                return ['the report does not say it used _Py_DebugOffsets']
        elif not re.search(r'\btables?\b', head, re.I):
            return ['the report does not say it used its tables']
        if re.search(r'\bdwarf\b', head, re.I) and not re.search(
                r'no dwarf|without dwarf|dwarf.{0,40}(not|un)', head, re.I):
            return ['the report mentions DWARF for a stripped build: '
                    'is debug information still reachable?']
        return []

    def finish_workdir(self, workdir, outdir, failed):
        """Remove WORKDIR; after a failure keep its core and oracle."""
        if failed or self.args.keep:
            keep = os.path.join(outdir, 'work')
            os.makedirs(keep, exist_ok=True)
            for name in os.listdir(workdir):
                src = os.path.join(workdir, name)
                if name == 'core' and not (self.args.keep or
                                           self.keep_core()):
                    continue
                if name != 'fixtures':
                    shutil.move(src, os.path.join(keep, name))
        shutil.rmtree(workdir, ignore_errors=True)
