#!/usr/bin/env bash
# Create the project's virtual environment with Python >= 3.12 and install everything it needs.
set -euo pipefail
venv="${1:-.venv}"

find_python() {
    for cand in python3.13 python3.12 python3; do
        if command -v "$cand" >/dev/null 2>&1 &&
            "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            command -v "$cand"; return 0
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.[0-9]+)?$' | sort -V -r); do
            local py; py="$(pyenv root)/versions/$v/bin/python"
            [ -x "$py" ] && { echo "$py"; return 0; }
        done
    fi
    echo "error: Python >= 3.12 not found (install it, e.g. 'pyenv install 3.12')" >&2
    return 1
}

if [ ! -x "$venv/bin/python" ]; then
    "$(find_python)" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e ".[all]"
"$venv/bin/python" scripts/install_solara_assets.py  # the explorer's front-end files, for offline use
