# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration of hlb's documentation: `make docs` builds it with
# Debian's python3-sphinx into build/docs/html, warnings being errors.

import os
import re

project = 'hlb'
author = 'the hlb authors'

# The version is the module's, from kmod/hlb.h.
with open(os.path.join(os.path.dirname(__file__), '..', 'kmod', 'hlb.h'),
          encoding='utf-8') as f:
    version = re.search(r'#define HLB_VERSION "([^"]+)"', f.read())[1]
release = version

root_doc = 'index'
exclude_patterns = []
highlight_language = 'none'

html_theme = 'alabaster'
html_show_sourcelink = False
