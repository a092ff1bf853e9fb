#!/usr/bin/env bash
# Create the project's virtual environment with Python >= 3.12 and install everything it needs.
set -euo pipefail
venv="${1:-.venv}"

find_python() {
    # Python 3.12 is what the project is tested on; prefer it, then any later version.
    local minor py
    for minor in 12 13 14; do
        if command -v "python3.$minor" >/dev/null 2>&1 &&
            "python3.$minor" -c 'import sys' 2>/dev/null; then
            command -v "python3.$minor"; return 0
        fi
        if command -v pyenv >/dev/null 2>&1; then
            for v in $(pyenv versions --bare 2>/dev/null | grep -E "^3\.$minor(\.[0-9]+)?$" | sort -V -r); do
                py="$(pyenv root)/versions/$v/bin/python"
                [ -x "$py" ] && { echo "$py"; return 0; }
            done
        fi
    done
    if command -v python3 >/dev/null 2>&1 &&
        python3 -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
        command -v python3; return 0
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
