# SPDX-License-Identifier: BSD-3-Clause
"""DTS framework: configuration, app sessions, topology, runner and report."""
