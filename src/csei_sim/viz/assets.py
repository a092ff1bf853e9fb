"""Install the front-end files Solara's page loads into Solara's local CDN cache.

Solara's server fetches its JavaScript and CSS from a public CDN on first use and caches them in
``<prefix>/share/solara/cdn/<package>@<version>/``. Machines without that CDN show a blank page, so
this script fills the cache ahead of time from the npm registry (``npm pack``), unpacked in the
layout the server reads. It is idempotent: packages already in place are skipped.

Run by ``scripts/install_solara_assets.py``, which ``scripts/bootstrap.sh`` calls.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# What the page of solara 1.64 asks for (its template, grid layout and settings.assets), and the
# Vega libraries its Altair figures load (requested by major version, so installed under that name).
PACKAGES = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "@widgetti/solara-vuetify3-app@5.2.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
)
MARKER = "package.json"  # every npm package has one; its presence means "installed"


def cdn_dir() -> Path:
    """The folder Solara's server serves ``/_solara/cdn/`` from (its proxy cache)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def _unpack(tarball: Path, dest: Path) -> None:
    """Unpack an npm tarball's ``package/`` folder into ``dest`` via a temporary sibling."""
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}."))
    try:
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp, filter="data")
        inner = tmp / "package"
        if not (inner / MARKER).exists():
            raise RuntimeError(f"{tarball.name}: no package/{MARKER} inside")
        if dest.exists():
            shutil.rmtree(dest)
        inner.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def install(spec: str, root: Path, npm: str) -> bool:
    """Install one ``name@version``; return True if it was fetched, False if already there."""
    dest = root / spec
    if (dest / MARKER).exists():
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run(
            [npm, "pack", spec, "--silent", "--pack-destination", work],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"npm pack {spec} failed: {out.stderr.strip()}")
        tarballs = list(Path(work).glob("*.tgz"))
        if len(tarballs) != 1:
            raise RuntimeError(f"npm pack {spec} produced {len(tarballs)} tarballs")
        _unpack(tarballs[0], dest)
    return True


def missing(root: Path | None = None) -> list[str]:
    """Packages not yet in the cache folder."""
    root = cdn_dir() if root is None else root
    return [spec for spec in PACKAGES if not (root / spec / MARKER).exists()]


def main() -> int:
    root = cdn_dir()
    missing_now = missing(root)
    if not missing_now:
        print(f"solara front-end files: all {len(PACKAGES)} packages present in {root}")
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print(
            "error: npm not found; it is needed to install Solara's front-end files "
            f"({', '.join(missing_now)}) into {root}",
            file=sys.stderr,
        )
        return 1
    for spec in missing_now:
        install(spec, root, npm)
        print(f"solara front-end files: installed {spec}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
