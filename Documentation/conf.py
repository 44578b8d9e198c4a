# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration of hlb's documentation: `make docs` builds it with
# Debian's python3-sphinx into build/docs/html, warnings being errors.

import os

project = 'hlb'
author = 'the hlb authors'

# The version is hlb's, from the top-level file VERSION.
with open(os.path.join(os.path.dirname(__file__), '..', 'VERSION'),
          encoding='utf-8') as f:
    version = f.read().strip()
release = version

root_doc = 'index'
exclude_patterns = []
highlight_language = 'none'

html_theme = 'alabaster'
html_show_sourcelink = False
