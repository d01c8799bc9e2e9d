# SPDX-License-Identifier: BSD-3-Clause
"""The testpmd prompt as DTS and the pexpect tests wait for it (no dependencies).

rte_cmdline writes its prompt one character at a time, so log lines from other
threads (a reconnect, a link change, one per ring) can land inside it:
"tes<log line>\\n<log line>\\ntpmd> ". Any number of whole lines may.

Searching for that is quadratic in the text searched (1 s over 60 KB of output),
so pass searchwindowsize=PROMPT_WINDOW to expect(): pexpect then looks only at
the last PROMPT_WINDOW characters, and still returns the output before the
prompt whole.
"""
import re

PROMPT = re.compile("(?:[^\n]*\n)*".join(re.escape(c) for c in "testpmd> "))
PROMPT_WINDOW = 8192
