# SPDX-License-Identifier: BSD-3-Clause
# Sphinx configuration of vu's guides; built by `meson setup -Denable_docs=true`
# with warnings as errors.
project = 'vu'
copyright = 'vu authors, BSD-3-Clause'
html_theme = 'alabaster'
html_show_sourcelink = False
exclude_patterns = ['_build']
highlight_language = 'none'
