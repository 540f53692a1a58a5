# SPDX-License-Identifier: BSD-2-Clause
"""TAP output for the Python tests (meson protocol: 'tap'): ok() prints one
numbered result and returns the condition; done() prints the plan last and
returns the exit code."""
_count = _failed = 0


def ok(cond, what):
    global _count, _failed
    _count += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", _count, what), flush=True)
    if not cond:
        _failed += 1
    return cond


def done():
    print("1..%d" % _count)
    return 1 if _failed else 0
