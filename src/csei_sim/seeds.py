"""Seeds of replicates, spawned from a base seed with numpy's SeedSequence."""

from __future__ import annotations

import numpy as np


def run_seed(base_seed: int, replicate: int) -> int:
    """The seed of one replicate, spawned from the base seed (numpy SeedSequence)."""
    seq = np.random.SeedSequence(int(base_seed), spawn_key=(int(replicate),))
    return int(seq.generate_state(1, dtype=np.uint32)[0])
