#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The transfer knobs on three command lines (TAP): btfhub-fetch,
btfkit-build and btfhub-make (--apt) take them from one table
(tools/fetch/transferopt.h), so each tool's --help says the same lines and
refuses a bad value with the same one line. They were parsed twice before
and differed: --apt took --speed-limit 1K as an invalid number and
--connect-timeout 0 as the default, btfhub-fetch took --transfers 1000.

Usage: test_transfer_cli.py BTFHUB-FETCH BTFKIT-BUILD BTFHUB-MAKE
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tap                                        # noqa: E402

TOOLS = [os.path.abspath(a) for a in sys.argv[1:4]]
KNOBS = ["--transfers", "--retries", "--retry-delay", "--connect-timeout", "--timeout",
         "--speed-limit", "--speed-time", "--retry-after-max"]


def run(tool, *args):
    p = subprocess.run([tool] + list(args), capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def knob_help(text):
    """The help lines from --transfers to the end of --retry-after-max's."""
    lines = text.splitlines()
    first = next(i for i, l in enumerate(lines) if l.lstrip().startswith("--transfers "))
    last = next(i for i, l in enumerate(lines) if l.lstrip().startswith("--retry-after-max "))
    return lines[first:last + 2]


def t_help_same():
    """every tool's --help has the same lines for the transfer knobs, each knob named"""
    helps = []
    for tool in TOOLS:
        rc, so, se = run(tool, "--help")
        assert rc == 0, (tool, se)
        helps.append(knob_help(so))
    assert helps[0] == helps[1] == helps[2], "\n".join("\n".join(h) for h in helps)
    text = "\n".join(helps[0])
    assert all(k + " " in text for k in KNOBS), text


def t_refused_same():
    """a bad value is exit 2 with the same one error line naming the option in every tool"""
    for args in (["--transfers", "0"], ["--transfers", "1000"], ["--connect-timeout", "0"],
                 ["--speed-limit", "0"], ["--retries", "101"], ["--timeout", "5s"],
                 ["--retry-after-max", "-1"]):
        lines = []
        for tool in TOOLS:
            rc, so, se = run(tool, *args, "-o", "/nonexistent", "x")
            errs = [l for l in se.splitlines() if "error:" in l]
            assert rc == 2 and len(errs) == 1 and args[0] in errs[0] and \
                "'%s'" % args[1] in errs[0], (tool, args, rc, se)
            lines.append(errs[0].split("error:", 1)[1])
        assert len(set(lines)) == 1, (args, lines)


def t_accepted_everywhere():
    """every tool takes a speed with a K suffix, 0 as off and the new --retry-after-max"""
    for tool in TOOLS:
        rc, so, se = run(tool, "--speed-limit", "1K", "--retry-delay", "0", "--timeout", "0",
                         "--speed-time", "0", "--retries", "0", "--retry-after-max", "0",
                         "--transfers", "64", "--connect-timeout", "3600", "--help")
        assert rc == 0 and "error" not in se, (tool, rc, se)


if __name__ == "__main__":
    sys.exit(tap.run([t_help_same, t_refused_same, t_accepted_everywhere]))
