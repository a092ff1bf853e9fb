"""The front-end files Solara's page loads, in Solara's local CDN folder.

Solara's page loads its JavaScript and CSS from ``<prefix>/share/solara/cdn/<package>@<version>/``.
The ``solara-assets`` package (a dependency of the ``explorer`` extra) ships them there, so a plain
``pip install "csei-sim[explorer]"`` works offline; :data:`REQUIRED` lists what the explorer's page
needs, and ``csei-sim explore`` refuses to start without them. The explorer's server never fetches
a missing file from the public CDN (see :mod:`csei_sim.viz.serving`).

``scripts/install_solara_assets.py`` fills in any package of :data:`PACKAGES` still missing from
the npm registry (``npm pack``), unpacked in the layout the server reads; it is idempotent.
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
# What the explorer's page loads (Vue 2 widgets: ipyvue < 3); solara-assets ships these versions.
REQUIRED = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
)
INSTALL_HINT = 'pip install "solara-assets>=1.58,<1.59"'
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


def missing(root: Path | None = None, packages: tuple[str, ...] = PACKAGES) -> list[str]:
    """Those of ``packages`` not yet in the cache folder."""
    root = cdn_dir() if root is None else root
    return [spec for spec in packages if not (root / spec / MARKER).exists()]


def missing_required(root: Path | None = None) -> list[str]:
    """Packages the explorer's page needs that are not installed (it would be blank without)."""
    return missing(root, REQUIRED)


def main() -> int:
    root = cdn_dir()
    missing_now = missing(root)
    if not missing_now:
        print(f"solara front-end files: all {len(PACKAGES)} packages present in {root}")
        return 0
    npm = shutil.which("npm")
    if npm is None:
        required = missing_required(root)
        if not required:  # the explorer's page has what it needs (from solara-assets)
            print(f"solara front-end files: the explorer's are present; skipped {missing_now}")
            return 0
        print(
            "error: npm not found; install Solara's front-end files with "
            f"{INSTALL_HINT} (missing: {', '.join(required)})",
            file=sys.stderr,
        )
        return 1
    for spec in missing_now:
        install(spec, root, npm)
        print(f"solara front-end files: installed {spec}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
