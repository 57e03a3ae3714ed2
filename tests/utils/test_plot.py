"""plot: learning curves from progress.txt files, shown or saved as images."""
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

from spinup.utils import plot
from spinup.utils.logx import EpochLogger

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def png_size(path):
    """(width, height) of a PNG, after checking its signature."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def write_run(path, exp_name, returns, test_returns=None, steps=1000):
    """A run folder written by the real logger, with one row per return."""
    logger = EpochLogger(output_dir=str(path), exp_name=exp_name)
    logger.save_config({"exp_name": exp_name})
    for epoch, ret in enumerate(returns):
        logger.log_tabular("Epoch", epoch)
        logger.log_tabular("AverageEpRet", ret)
        if test_returns is not None:
            logger.log_tabular("AverageTestEpRet", test_returns[epoch])
        logger.log_tabular("TotalEnvInteracts", (epoch + 1) * steps)
        logger.dump_tabular()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Two seeds of a real (tiny) PyTorch training run on CartPole."""
    base = tmp_path_factory.mktemp("trained")
    code = """
import sys, gymnasium as gym, tiny_agent
for seed in (0, 10):
    tiny_agent.train(lambda: gym.make('CartPole-v1'), seed=seed, epochs=3, steps_per_epoch=100,
                     logger_kwargs=dict(output_dir='%s/tiny_pg/tiny_pg_s%d' % (sys.argv[1], seed),
                                        exp_name='tiny_pg'))
"""
    subprocess.run([sys.executable, "-c", code, str(base)], check=True, capture_output=True,
                   env=dict(os.environ, PYTHONPATH=TESTS_DIR), timeout=120)
    return base


def test_command_line_saves_a_png_per_value_without_a_display(trained, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    out = tmp_path / "plots"
    proc = subprocess.run(
        [sys.executable, "-m", "spinup.run", "plot", str(trained / "tiny"), "--savedir", str(out),
         "--format", "png", "-y", "Performance", "EpLen", "-s", "2"],
        capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(out)) == ["EpLen.png", "Performance.png"]
    for name in ("EpLen.png", "Performance.png"):
        width, height = png_size(out / name)
        assert 300 <= width <= 4000 and 200 <= height <= 4000
        assert os.path.getsize(out / name) > 10_000  # a drawn plot, not a blank image
    assert "Saved %s" % (out / "Performance.png") in proc.stdout


@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_vector_formats(tmp_path, fmt, magic):
    write_run(tmp_path / "exp" / "s0", "exp", [1, 2, 3])
    saved = plot.make_plots([str(tmp_path / "exp") + os.sep], values=["Performance"],
                            savedir=str(tmp_path / "out"), format=fmt)
    assert saved == [str(tmp_path / "out" / ("Performance." + fmt))]
    with open(saved[0], "rb") as f:
        assert f.read(len(magic)) == magic


def test_datasets_get_conditions_units_and_performance(tmp_path):
    write_run(tmp_path / "ppo" / "s0", "ppo", [1, 2], test_returns=[10, 20])
    write_run(tmp_path / "ppo" / "s1", "ppo", [3, 4], test_returns=[30, 40])
    write_run(tmp_path / "vpg" / "s0", "vpg", [5, 6])
    data = plot.get_all_datasets([str(tmp_path / "ppo"), str(tmp_path / "vpg")])
    assert [(d["Condition1"][0], d["Condition2"][0], d["Unit"][0]) for d in data] == [
        ("ppo", "ppo-0", 0), ("ppo", "ppo-1", 1), ("vpg", "vpg-2", 0)]
    # Performance is the test return when there is one, else the training return.
    assert list(data[0]["Performance"]) == [10, 20]
    assert list(data[2]["Performance"]) == [5, 6]

    legended = plot.get_all_datasets([str(tmp_path) + os.sep], legend=["everything"])
    assert {d["Condition1"][0] for d in legended} == {"everything"}


def test_prefix_select_exclude_and_legend(tmp_path, capsys):
    for name in ("ppo_cartpole", "ppo_hopper", "vpg_cartpole"):
        write_run(tmp_path / name / "s0", name, [1, 2])
    prefix = str(tmp_path / "ppo")
    names = lambda data: [d["Condition1"][0] for d in data]  # noqa: E731
    assert names(plot.get_all_datasets([prefix])) == ["ppo_cartpole", "ppo_hopper"]
    assert names(plot.get_all_datasets([str(tmp_path / "")], select=["cartpole"])) == []
    assert names(plot.get_all_datasets([prefix], select=["cartpole"])) == ["ppo_cartpole"]
    assert names(plot.get_all_datasets([prefix], exclude=["cart"])) == ["ppo_hopper"]
    assert "Plotting from..." in capsys.readouterr().out
    with pytest.raises(ValueError, match="legend title for each"):
        plot.get_all_datasets([prefix], legend=["only one"])


def test_broken_progress_files_are_reported_and_skipped(tmp_path, capsys):
    write_run(tmp_path / "runs" / "good", "good", [1, 2, 3])
    (tmp_path / "runs" / "empty").mkdir()
    (tmp_path / "runs" / "empty" / "progress.txt").write_text("")
    (tmp_path / "runs" / "cut").mkdir()
    (tmp_path / "runs" / "cut" / "progress.txt").write_text(
        "Epoch\tAverageEpRet\tTotalEnvInteracts\n0\t1.5\t1000\n1\t2.")
    (tmp_path / "runs" / "wide").mkdir()
    (tmp_path / "runs" / "wide" / "progress.txt").write_text(
        "Epoch\tAverageEpRet\n0\t1.5\n1\t2.5\t99\n")

    data = plot.get_all_datasets([str(tmp_path / "runs") + os.sep])
    out = capsys.readouterr().out
    assert "empty" in out and "line 3 has 3 columns but the header has 2" in out
    assert "last line was cut short" in out
    # The good run whole, and the cut run without its broken last line.
    assert sorted(len(d) for d in data) == [1, 3]

    saved = plot.make_plots([str(tmp_path / "runs") + os.sep], values="Performance",
                            savedir=str(tmp_path / "out"))
    png_size(saved[0])


def test_plot_data_smooths_each_run_and_draws_a_band(tmp_path):
    import matplotlib.pyplot as plt
    write_run(tmp_path / "a" / "s0", "a", [0, 3, 6, 9])
    write_run(tmp_path / "a" / "s1", "a", [2, 5, 8, 11])
    data = plot.get_all_datasets([str(tmp_path / "a") + os.sep])
    plt.figure()
    plot.plot_data(data, xaxis="TotalEnvInteracts", value="AverageEpRet", smooth=3)
    ax = plt.gca()
    # The mean of the two runs, each smoothed over 3 points (2 at the ends).
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [2.5, 4, 7, 8.5])
    assert ax.collections, "no standard-deviation band was drawn"
    assert list(data[0]["AverageEpRet"]) == [0, 3, 6, 9], "the input data was modified"
    plt.close("all")


def test_command_line_errors_exit_2_without_traceback(tmp_path):
    write_run(tmp_path / "exp" / "s0", "exp", [1, 2])
    for args, message in [
        ([str(tmp_path / "exp"), "-l", "a", "b"], "legend title for each"),
        ([str(tmp_path / "nothing_here")], "No readable progress.txt"),
        ([str(tmp_path / "exp"), "--format", "jpg"], "invalid choice"),
        ([str(tmp_path / "exp"), "-y", "Performance", "NoSuchColumn"],
         "No run has a column 'NoSuchColumn' (-y). The columns there are: Epoch, "
         "AverageEpRet, TotalEnvInteracts, Performance."),
        ([str(tmp_path / "exp"), "-x", "Steps"], "No run has a column 'Steps' (-x)"),
    ]:
        proc = subprocess.run([sys.executable, "-m", "spinup.run", "plot", *args,
                               "--savedir", str(tmp_path / "out")],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr
        assert "Traceback" not in proc.stderr
        # One line: the message is not buried under argparse's usage block.
        assert proc.stderr.startswith("spinup.run plot: error: "), proc.stderr
        assert proc.stderr.count("\n") == 1, proc.stderr
        assert not os.path.exists(tmp_path / "out"), "a figure was saved before the error"
