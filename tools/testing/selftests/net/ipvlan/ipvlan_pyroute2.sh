#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pyroute2, a Python client over rtnetlink, creates ipvlan slaves in every
# mode and flag, reads them back, changes and deletes them: see
# ipvlan_pyroute2.py.  It runs with Debian's python3, where
# python3-pyroute2 installs (another python3 first in PATH, such as a
# pyenv one, would not see it); PYTHON overrides.  Skipped when that
# python cannot import pyroute2.

set -e
cd "$(dirname "$0")"
. ./lib.sh

PYTHON=${PYTHON:-/usr/bin/python3}

require_root
command -v "$PYTHON" >/dev/null || skip_all "needs $PYTHON (python3-pyroute2)"
"$PYTHON" -c 'import pyroute2' 2>/dev/null ||
	skip_all "$PYTHON cannot import pyroute2 (python3-pyroute2)"
exec "$PYTHON" ./ipvlan_pyroute2.py
