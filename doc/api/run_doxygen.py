#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run doxygen over the public headers given on the command line.

usage: run_doxygen.py DOXYGEN DOXYFILE HEADER...
The Doxyfile's INPUT is completed with the headers (meson passes them as
paths), so the reference always covers exactly what is installed.
"""
import subprocess
import sys


def main():
    doxygen, doxyfile, headers = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(doxyfile) as f:
        conf = f.read()
    conf += "\nINPUT += " + " ".join(headers) + "\n"
    r = subprocess.run([doxygen, "-"], input=conf, text=True)
    sys.exit(r.returncode)


if __name__ == "__main__":
    main()
