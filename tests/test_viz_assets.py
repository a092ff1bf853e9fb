"""Solara's front-end files: the list covers what solara loads; the installer lays them out."""

from __future__ import annotations

import re
import stat
import tarfile
from pathlib import Path

import pytest

from csei_sim.viz import assets

solara = pytest.importorskip("solara")

# `{{cdn}}/pkg@ver/...` in the page template, `${this.getCdn()}/pkg@ver/...` in the widgets.
CDN_REF = re.compile(r"(?:\{\{\s*cdn\s*\}\}|getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)/")
# Loaded only for formulas and diagrams in Markdown, which the explorer does not show.
NOT_USED = {"katex", "mermaid"}


def _referenced() -> set[str]:
    root = Path(solara.__file__).parent
    found = set()
    for path in [*root.rglob("*.j2"), *root.rglob("*.vue"), *root.rglob("*.html")]:
        found.update(CDN_REF.findall(path.read_text(errors="replace")))
    return {spec for spec in found if spec.rsplit("@", 1)[0] not in NOT_USED}


def test_installer_covers_every_package_solara_loads():
    referenced = _referenced()
    assert "requirejs@2.3.6" in referenced  # the scan itself works
    assert referenced <= set(assets.PACKAGES), sorted(referenced - set(assets.PACKAGES))
    from solara.server import settings

    fontawesome = settings.assets.fontawesome_path.strip("/").split("/")[0]
    assert fontawesome in assets.PACKAGES


def test_assets_are_installed_in_this_environment():
    """solara-assets puts them in place; without them the page is blank offline."""
    assert assets.missing_required() == [], assets.INSTALL_HINT
    assert set(assets.REQUIRED) <= set(assets.PACKAGES)
    root = assets.cdn_dir()
    assert (root / "requirejs@2.3.6" / "require.js").is_file()
    assert (root / "font-awesome@4.5.0" / "css" / "font-awesome.min.css").is_file()
    assert (root / "@widgetti/solara-vuetify-app@10.1.1/dist/main8.css").is_file()


@pytest.fixture
def fake_npm(tmp_path: Path) -> Path:
    """An `npm` that packs a tiny package and counts its calls, instead of using the registry."""
    src = tmp_path / "pkgsrc"
    (src / "package" / "dist").mkdir(parents=True)
    (src / "package" / "package.json").write_text('{"name": "demo"}')
    (src / "package" / "dist" / "demo.js").write_text("console.log('demo')")
    tgz = tmp_path / "demo-1.0.0.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(src / "package", arcname="package")
    npm = tmp_path / "npm"
    npm.write_text(
        "#!/bin/sh\n"
        f'echo called >> "{tmp_path}/calls"\n'
        'while [ "$1" != "--pack-destination" ]; do shift; done\n'
        f'cp "{tgz}" "$2/"\n'
    )
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)
    return npm


def test_install_unpacks_package_contents_and_is_idempotent(tmp_path: Path, fake_npm: Path):
    root = tmp_path / "cdn"
    assert assets.install("@demo/demo@1.0.0", root, str(fake_npm)) is True
    dest = root / "@demo" / "demo@1.0.0"
    assert (dest / "dist" / "demo.js").read_text() == "console.log('demo')"
    assert not (dest / "package").exists()  # unpacked contents, not the tarball's folder
    assert assets.install("@demo/demo@1.0.0", root, str(fake_npm)) is False
    assert (tmp_path / "calls").read_text().count("called") == 1
    assert [p.name for p in (root / "@demo").iterdir()] == ["demo@1.0.0"]  # no temporary left


def test_failed_pack_names_the_package(tmp_path: Path):
    npm = tmp_path / "npm"
    npm.write_text("#!/bin/sh\necho 'E404 not found' >&2\nexit 1\n")
    npm.chmod(0o755)
    with pytest.raises(RuntimeError, match="nope@9.9.9.*E404"):
        assets.install("nope@9.9.9", tmp_path / "cdn", str(npm))
    assert not (tmp_path / "cdn" / "nope@9.9.9").exists()
