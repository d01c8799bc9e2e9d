# SPDX-License-Identifier: BSD-3-Clause
def pytest_configure(config):
    config.addinivalue_line("markers", "pmd(**kwargs): arguments of the pmd fixture's Pmd()")
