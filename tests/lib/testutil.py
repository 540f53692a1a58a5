# SPDX-License-Identifier: BSD-2-Clause
"""Exit-code protocol helpers for the Python tests that are one meson test
each (not TAP): a failure is one "FAIL: ..." line and exit 1, a skip one
"SKIP: ..." line and exit 77. Import with
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
"""
import sys

SKIP = 77


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(SKIP)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
