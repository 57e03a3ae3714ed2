"""results: every run under a folder as one DataFrame, and the per-variant summary."""
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from spinup.utils.logx import EpochLogger
from spinup.utils.results import ResultsError, flatten_config, load_runs, summarize


def write_run(data_dir, exp_name, seed, returns, pi_lr=1e-3, hidden=(32,), test_returns=None):
    """A run as an algorithm writes it: config.json from its arguments, then
    one progress.txt row per epoch."""
    output_dir = os.path.join(str(data_dir), exp_name, "%s_s%d" % (exp_name, seed))
    logger = EpochLogger(output_dir=output_dir, exp_name=exp_name)
    logger.save_config(dict(seed=seed, pi_lr=pi_lr, ac_kwargs=dict(hidden_sizes=list(hidden)),
                            epochs=len(returns),
                            logger_kwargs=dict(output_dir=output_dir, exp_name=exp_name)))
    for epoch, ret in enumerate(returns):
        logger.log_tabular("Epoch", epoch)
        logger.log_tabular("AverageEpRet", ret)
        if test_returns is not None:
            logger.log_tabular("AverageTestEpRet", test_returns[epoch])
        logger.log_tabular("TotalEnvInteracts", 100 * (epoch + 1))
        logger.dump_tabular()
    logger.close()
    return output_dir


@pytest.fixture
def grid(tmp_path):
    """A 2 x 2 grid over pi_lr, two seeds each, named as the grid names them."""
    data = tmp_path / "data"
    runs = {}
    for lr, tag in [(1e-3, "pi0-001"), (3e-4, "pi0-0003")]:
        for seed, offset in [(0, 0.0), (10, 2.0)]:
            name = "lr_" + tag
            runs[name, seed] = write_run(data, name, seed, [offset, 1 + offset, 2 + offset],
                                         pi_lr=lr)
    return data, runs


def test_one_row_per_progress_row_with_name_seed_run_and_config(grid):
    data, runs = grid
    df = load_runs(str(data / "lr"), verbose=False)
    assert len(df) == 4 * 3
    assert list(df.columns[:6]) == ["exp_name", "seed", "run", "Epoch", "AverageEpRet",
                                    "TotalEnvInteracts"]
    assert "config/pi_lr" in df and "config/ac_kwargs:hidden_sizes" in df
    assert "config/logger_kwargs:output_dir" in df

    rows = df[df["run"] == runs["lr_pi0-0003", 10]]
    assert list(rows["Epoch"]) == [0, 1, 2]
    assert list(rows["AverageEpRet"]) == [2.0, 3.0, 4.0]
    assert set(rows["exp_name"]) == {"lr_pi0-0003"} and set(rows["seed"]) == {10}
    assert set(rows["config/pi_lr"]) == {3e-4}
    # Lists come back as tuples, so runs can be grouped by them.
    assert set(rows["config/ac_kwargs:hidden_sizes"]) == {(32,)}

    # The analysis this is for: the final return of each learning rate.
    final = df[df["Epoch"] == 2].groupby("config/pi_lr")["AverageEpRet"].mean()
    assert final.to_dict() == {3e-4: 3.0, 1e-3: 3.0}


def test_paths_follow_the_plotters_rule(grid):
    data, runs = grid
    # A trailing slash: exactly that folder. Without one: a name prefix.
    exact = load_runs(str(data / "lr_pi0-001") + os.sep, verbose=False)
    assert set(exact["run"]) == {runs["lr_pi0-001", 0], runs["lr_pi0-001", 10]}
    both = load_runs([str(data / "lr_pi0-001"), str(data / "lr_pi0-0003") + os.sep],
                     verbose=False)
    assert len(set(both["run"])) == 4
    assert load_runs(str(data / "nothing"), verbose=False).empty
    with pytest.raises(ResultsError, match="No folder"):
        load_runs(str(data / "no" / "such" / "place"))


def test_runs_without_config_and_unreadable_runs(tmp_path, capsys):
    run = tmp_path / "old" / "old_s3"
    run.mkdir(parents=True)
    (run / "progress.txt").write_text("Epoch\tAverageEpRet\n0\t1.5\n1\t2.5\n")
    broken = tmp_path / "old" / "old_s4"
    broken.mkdir()
    (broken / "progress.txt").write_text("")

    df = load_runs(str(tmp_path / "old") + os.sep)
    # The name and seed come from the folder, as setup_logger_kwargs names it.
    assert set(df["exp_name"]) == {"old"} and set(df["seed"]) == {3}
    assert not any(c.startswith("config/") for c in df.columns)
    assert "the file is empty; skipping it" in capsys.readouterr().out


def test_flatten_config_like_grid_keys():
    config = {"ac_kwargs": {"hidden_sizes": [64, 64], "act": {"inner": 1}},
              "logger": {"<spinup.utils.logx.EpochLogger object at 0x7f>": {"a": 1}},
              "env_name": "CartPole-v1"}
    flat = flatten_config(config)
    assert flat["ac_kwargs:hidden_sizes"] == (64, 64)
    assert flat["ac_kwargs:act:inner"] == 1
    assert flat["env_name"] == "CartPole-v1"
    # An object's record stays one value, not a column per address.
    assert list(k for k in flat if k.startswith("logger")) == ["logger"]


def test_summarize_is_mean_and_std_over_seeds_per_variant(grid):
    data, _ = grid
    table = summarize(str(data / "lr"))
    assert list(table.columns) == ["exp_name", "pi_lr", "seeds", "mean", "std", "epochs"]
    row = table.set_index("exp_name").loc["lr_pi0-001"]
    # Final returns 2.0 (seed 0) and 4.0 (seed 10).
    assert (row["pi_lr"], row["seeds"], row["epochs"]) == (1e-3, 2, 3)
    # The sample standard deviation (n - 1), as the grid's summary gives it.
    assert row["mean"] == pytest.approx(3.0) and row["std"] == pytest.approx(2 ** 0.5)

    # The mean of the last two rows of each run: 1.5 and 3.5.
    row = summarize(str(data / "lr"), last=2).set_index("exp_name").loc["lr_pi0-001"]
    assert row["mean"] == pytest.approx(2.5) and row["std"] == pytest.approx(2 ** 0.5)

    # From a loaded DataFrame, with another column.
    df = load_runs(str(data / "lr"), verbose=False)
    steps = summarize(df, value="TotalEnvInteracts")
    assert list(steps["mean"]) == [300.0, 300.0]


def test_performance_prefers_test_returns(tmp_path):
    write_run(tmp_path, "t", 0, [1.0, 2.0], test_returns=[5.0, 7.0])
    write_run(tmp_path, "u", 0, [1.0, 2.0])
    table = summarize(str(tmp_path) + os.sep).set_index("exp_name")
    assert table.loc["t", "mean"] == 7.0 and table.loc["u", "mean"] == 2.0
    # One seed: no spread to speak of.
    assert np.isnan(table.loc["t", "std"]) and table.loc["t", "seeds"] == 1


def test_performance_needs_a_return_column(tmp_path):
    run = tmp_path / "loss_s0"
    run.mkdir()
    (run / "progress.txt").write_text("Epoch\tLoss\n0\t1.5\n")
    with pytest.raises(ResultsError, match=r"No run logged 'Performance'. Columns there are: "
                                           r"Epoch, Loss\."):
        summarize(str(tmp_path) + os.sep)
    assert summarize(str(tmp_path) + os.sep, value="Loss")["mean"].tolist() == [1.5]


def test_summarize_says_what_is_missing(grid, tmp_path):
    data, _ = grid
    with pytest.raises(ResultsError, match="No runs found under"):
        summarize(str(tmp_path / "empty_"))
    with pytest.raises(ResultsError, match=r"No run logged 'NoSuchColumn'. Columns there "
                                           r"are: Performance, Epoch, AverageEpRet"):
        summarize(str(data / "lr"), value="NoSuchColumn")


def results_cli(*args):
    return subprocess.run([sys.executable, "-m", "spinup.run", "results", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_results_command(grid, tmp_path):
    data, _ = grid
    proc = results_cli(data / "lr", "--last", "2")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["Variant", "pi_lr", "Seeds", "Epochs", "Performance", "(last",
                                "2)"]
    assert lines[2].split() == ["lr_pi0-0003", "0.0003", "2", "3", "2.5", "±", "1.414"]
    assert lines[3].split() == ["lr_pi0-001", "0.001", "2", "3", "2.5", "±", "1.414"]

    for args, message in [([tmp_path / "empty_"], "No runs found under"),
                          ([data / "lr", "-y", "Nope"], "No run logged 'Nope'"),
                          ([data / "lr", "--last", "0"], "--last must be 1 or more"),
                          ([tmp_path / "no" / "where"], "No folder")]:
        proc = results_cli(*args)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert proc.stderr.startswith("spinup.run results: error: ")
        assert message in proc.stderr and proc.stderr.count("\n") == 1


def test_frame_has_the_dtypes_of_the_progress_file(grid):
    data, _ = grid
    df = load_runs(str(data / "lr"), verbose=False)
    assert df["Epoch"].dtype == np.int64 and df["seed"].dtype == np.int64
    assert isinstance(df, pd.DataFrame)
