"""Critical mass relative to the pool: the share, the count beside it, old run folders refused."""

from __future__ import annotations

import json

import pytest
import yaml

from csei_sim import CSEIModel
from csei_sim.experiment import aggregate, run_sweep
from csei_sim.experiment.report import main as report_main
from csei_sim.experiment.results import NoReadableRuns
from csei_sim.experiment.runner import sha256
from csei_sim.params import ParameterError, Params, critical_mass_count


@pytest.mark.parametrize(
    ("share", "pool", "count"),
    [(0.25, 60, 15), (0.25, 25, 7), (0.25, 120, 30), (0.25, 4, 2), (0.05, 20, 2), (0.1, 30, 3)],
)
def test_the_count_is_the_share_of_the_pool_rounded_up_and_at_least_two(share, pool, count):
    assert critical_mass_count(share, pool) == count
    p = Params.from_dict(critical_mass_share=share, n_organisations=pool, core_size=min(5, pool))
    assert p.critical_mass == count


def test_time_to_critical_mass_follows_the_share():
    """A larger share can only postpone critical mass in the same run (same seed, same path)."""
    times = []
    for share in (0.1, 0.4):
        model = CSEIModel(Params.from_dict(steps=48, critical_mass_share=share), rng=3)
        model.run_model()
        times.append(model.summary_record()["time_to_critical_mass"])
    low, high = times
    assert low == low  # reached with a tenth of the pool
    assert not high <= low  # NaN (never) or later


def test_a_bad_share_names_the_key_and_its_range():
    with pytest.raises(ParameterError, match=r"critical_mass_share: .*\[0\.05, 0\.9\]"):
        Params.from_dict(critical_mass_share=0.95)


def test_an_absolute_critical_mass_is_refused_in_one_line():
    with pytest.raises(ParameterError) as err:
        Params.from_dict(critical_mass=15)
    text = str(err.value)
    assert text.startswith("critical_mass: ") and "critical_mass_share" in text
    assert "\n" not in text


def test_a_stored_run_folder_with_an_absolute_critical_mass_is_refused(tmp_path, capsys):
    run_sweep({"tiny": Params.from_dict(steps=2)}, tmp_path, n_jobs=1, progress=False)
    aggregate(tmp_path)  # today's folders read back
    config = next(tmp_path.rglob("config.yaml"))
    data = yaml.safe_load(config.read_text())
    data.pop("critical_mass_share")
    data["critical_mass"] = 15  # as folders written before the share was introduced
    config.write_text(yaml.safe_dump(data))
    done_file = config.parent / "done.json"
    done = json.loads(done_file.read_text())
    # a consistent folder of its time: done.json vouches for the config as it is
    done["files"]["config.yaml"] = {"size": config.stat().st_size, "sha256": sha256(config)}
    done_file.write_text(json.dumps(done))
    with pytest.raises(NoReadableRuns):  # the run is left out, named with the reason
        aggregate(tmp_path)
    assert report_main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "critical_mass" in err and "critical_mass_share" in err
    assert "Traceback" not in err
