# SPDX-License-Identifier: BSD-2-Clause
"""The one TAP harness of the Python tests (meson protocol: 'tap'); its C twin is tap.h.

Results are numbered as they come and the plan ("1..N") is printed last, so
a test may decide at run time how many it checks. Three ways to use it:

    ok(cond, what[, detail]) one result; returns cond (`if not ok(...): return`)
    run(cases, *ctx)         each case a result, named by its docstring; a
                             case asserts with check()/assert/fail(), raises
                             Skip (skip()) to be "# SKIP", and may call ok()
                             for results of its own
    main(fn, *ctx)           a test that is one case: fn's docstring names it

check() and fail() raise Fail, which a case turns into "not ok" with the
message (and, for other exceptions, the traceback) as diagnostics. skip()
before any result makes the whole test "1..0 # SKIP reason", which meson
counts as skipped. done() prints the plan and returns the exit status:
1 if anything failed, else 0.

Import with
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    import tap
"""
import os
import sys
import time
import traceback

_count = _failed = 0


class Fail(AssertionError):
    """A check that did not hold: "not ok" with this message."""


class Skip(Exception):
    """This case (or, before any result, this whole test) cannot run here."""


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def fail(msg):
    raise Fail(msg)


def skip(reason):
    raise Skip(reason)


def diag(msg):
    for line in str(msg).splitlines() or [""]:
        print("# " + line)
    sys.stdout.flush()


def ok(cond, what, detail=None):
    """One result; on failure @detail (its first 20 lines) follows as diagnostics."""
    global _count, _failed
    _count += 1
    # A result is one line: a newline in what it names would end it.
    what = " ".join(str(what).split("\n")).strip()
    print("%s %d - %s" % ("ok" if cond else "not ok", _count, what), flush=True)
    if not cond:
        _failed += 1
        if detail:
            diag("\n".join(str(detail).splitlines()[:20]))
    return cond


def skipped(what, reason):
    """One result that could not be checked here."""
    global _count
    _count += 1
    print("ok %d - %s # SKIP %s" % (_count, what, reason), flush=True)


def count():
    """Results so far (before the plan)."""
    return _count


def _one(case, ctx, name):
    t0 = time.monotonic()
    try:
        case(*ctx)
    except Skip as e:
        if _count == 0 and _single:
            print("1..0 # SKIP %s" % e, flush=True)
            sys.exit(0)
        skipped(name, e)
        return
    except Fail as e:
        ok(False, name)
        diag(e)
        return
    except Exception:
        ok(False, name)
        diag(traceback.format_exc())
        return
    ok(True, "%s (%.1fs)" % (name, time.monotonic() - t0))


_single = False


def run(cases, *ctx):
    """Each of @cases (called with @ctx) is one result; returns the exit status."""
    for case in cases:
        _one(case, ctx, (case.__doc__ or case.__name__).strip().splitlines()[0])
    return done()


def main(fn, *ctx, name=None):
    """A test that is one case (which may add results with ok()): exits. The
    case is named by @name, else fn's docstring, else the command line."""
    global _single
    _single = True
    name = name or ((fn.__doc__ or "").strip().splitlines() or
                    [" ".join([os.path.basename(sys.argv[0])] + sys.argv[1:])])[0]
    _one(fn, ctx, name)
    sys.exit(done())


def done():
    print("1..%d" % _count, flush=True)
    return 1 if _failed else 0
