# SPDX-License-Identifier: BSD-3-Clause
"""The prompt pattern DTS waits for, over real interleaved output."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from framework.prompt import PROMPT, PROMPT_WINDOW  # noqa: E402


def test_plain_prompt():
    assert PROMPT.search("Done\r\ntestpmd> ")


def test_two_log_lines_inside_prompt():
    # vu-testpmd's output when a CI run timed out waiting for it (2026-12-02):
    # the backend logged once per ring while the prompt was being written.
    out = ("Interactive-mode selected\r\n"
           "tesVU_VRING: (net_vhost0:0) base 0 outside used idx 40640 .. avail idx "
           "40640: starting at used idx\r\n"
           "VU_VRING: (net_vhost0:1) base 0 outside used idx 42176 .. avail idx "
           "42176: starting at used idx\r\n"
           "tpmd> ")
    assert PROMPT.search(out)


def test_window_holds_interleaved_prompt():
    # What expect() searches: the last PROMPT_WINDOW characters.
    out = "x" * 100000 + "\r\ntes" + "VU_VRING: (net_vhost0:0) a log line\r\n" * 20 + "tpmd> "
    assert PROMPT.search(out[-PROMPT_WINDOW:])


def test_no_prompt_yet():
    assert not PROMPT.search("Interactive-mode selected\r\ntestpm")
    assert not PROMPT.search("Configuring Port 0 (socket 0)\r\nPort 0: 7A:1F:6F:13:A1:DD\r\n")
