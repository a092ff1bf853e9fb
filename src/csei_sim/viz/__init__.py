"""The Solara explorer: watch and steer a forming cluster in the browser (``csei-sim explore``).

Submodules: ``app`` (the page), ``explorer_model`` (the model the sidebar builds), ``inputs`` (the
sidebar), ``network``, ``panels`` and ``compare`` (what the page shows), ``assets`` (Solara's
front-end files for offline use) and ``launch`` (the server).
"""
