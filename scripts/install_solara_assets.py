"""Install the explorer's front-end files (Solara's CDN packages) into the virtual environment.

Idempotent; needs npm. Run: ``.venv/bin/python scripts/install_solara_assets.py``.
"""

from csei_sim.viz.assets import main

if __name__ == "__main__":
    raise SystemExit(main())
