"""ExperimentGrid and call_experiment, used the way an experiment script uses
them: real grids, real subprocesses, real output folders."""
import collections
import csv
import io
import json
import os
import re
import subprocess
import sys
import time

import cloudpickle
import pytest

from spinup.utils import run_utils
from spinup.utils.logx import colorize
from spinup.utils.mpi_tools import physical_cores
from spinup.utils.run_utils import (
    ExperimentGrid,
    GridError,
    GridRunError,
    all_bools,
    call_experiment,
    setup_logger_kwargs,
    valid_str,
)

# The thunks below travel to fresh processes by value, as thunks defined in
# a user's script do; the child need not import this test module.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

LINE = "=" * 80


# --- thunks ---------------------------------------------------------------

def touch(seed, logger_kwargs, **kwargs):
    """Write the kwargs it got into its output dir."""
    out = logger_kwargs["output_dir"]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "got.json"), "w") as f:
        json.dump(dict(kwargs, seed=seed), f)


def silent(seed, logger_kwargs):
    pass


def crash(seed, logger_kwargs):
    raise RuntimeError("this experiment crashes")


def logs_returns(seed, logger_kwargs, ret=1.0, fail=False):
    """A tiny training function with a real EpochLogger."""
    from spinup.utils.logx import EpochLogger
    logger = EpochLogger(**logger_kwargs)
    for epoch in range(3):
        logger.store(EpRet=ret + epoch)
        logger.log_tabular("Epoch", epoch)
        logger.log_tabular("EpRet")
        logger.dump_tabular()
    if fail:
        raise RuntimeError("failing on purpose")


def read_json(path):
    with open(path) as f:
        return json.load(f)


def read(path):
    with open(path) as f:
        return f.read()


# --- setup_logger_kwargs ----------------------------------------------------

def test_logger_kwargs_without_and_with_seed(tmp_path):
    d = str(tmp_path)
    assert setup_logger_kwargs("exp", data_dir=d) == dict(
        output_dir=os.path.join(d, "exp"), exp_name="exp")
    assert setup_logger_kwargs("exp", seed=3, data_dir=d) == dict(
        output_dir=os.path.join(d, "exp", "exp_s3"), exp_name="exp")


def test_logger_kwargs_datestamped():
    kw = setup_logger_kwargs("exp", seed=7, data_dir="/data", datestamp=True)
    assert re.fullmatch(r"/data/\d{4}-\d\d-\d\d_exp/\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d-exp_s7",
                        kw["output_dir"]), kw
    kw = setup_logger_kwargs("exp", data_dir="/data", datestamp=True)
    assert re.fullmatch(r"/data/\d{4}-\d\d-\d\d_exp", kw["output_dir"])


def test_force_datestamp_and_default_data_dir(monkeypatch):
    monkeypatch.setattr(run_utils, "FORCE_DATESTAMP", True)
    # Assigned by hand, as users of the original did; setitem (not setattr) so
    # that the undo removes it again instead of freezing the computed value.
    monkeypatch.setitem(vars(run_utils), "DEFAULT_DATA_DIR", "/somewhere/data")
    kw = setup_logger_kwargs("exp", seed=0)
    assert re.fullmatch(r"/somewhere/data/\d{4}-\d\d-\d\d_exp/.*-exp_s0", kw["output_dir"])


@pytest.mark.parametrize("name", ["..", "../up", "a/../../up", "/etc/cron.d/x"])
def test_logger_kwargs_refuse_names_that_escape_data_dir(name, tmp_path):
    with pytest.raises(GridError, match="outside data_dir"):
        setup_logger_kwargs(name, seed=0, data_dir=str(tmp_path))


def test_logger_kwargs_allow_subfolders(tmp_path):
    kw = setup_logger_kwargs("group/a/../exp", data_dir=str(tmp_path))
    assert kw["output_dir"] == os.path.join(str(tmp_path), "group/a/../exp")


# --- valid_str, all_bools --------------------------------------------------

def test_valid_str():
    assert valid_str("CartPole-v1") == "cartpole-v1"
    assert valid_str(0.001) == "0-001"
    assert valid_str((64, 64)) == "64-64"
    assert valid_str([32, "Tanh"]) == "32-tanh"
    assert valid_str(silent) == "silent"
    assert valid_str("a b/c:d_e") == "a-b-c-d_e"
    assert valid_str(True) == "true"


def test_all_bools():
    assert all_bools([True, False])
    assert not all_bools([True, 0])
    assert all_bools([])


# --- add, shorthands, names -------------------------------------------------

def test_default_shorthands():
    eg = ExperimentGrid()
    eg.add("steps_per_epoch", 4000)
    eg.add("ac_kwargs:hidden_sizes", [(32,)])
    eg.add("pi-lr", 0.1)           # '-' is dropped from the first three characters
    eg.add("a.b:c_d:xy", 1)        # each part sheared separately
    eg.add("lr", 0.2, shorthand="LR")
    assert eg.shs == ["ste", "ac-hid", "pi", "ab-cd-xy", "LR"]


def test_no_default_shorthand_when_disabled(monkeypatch):
    monkeypatch.setattr(run_utils, "DEFAULT_SHORTHAND", False)
    eg = ExperimentGrid()
    eg.add("steps_per_epoch", [1, 2])
    assert eg.shs == [None]
    assert eg.variant_name({"steps_per_epoch": 2}) == "steps_per_epoch2"


def test_values_are_wrapped_in_a_list():
    eg = ExperimentGrid()
    eg.add("hid", (64, 64))
    assert eg.vals == [[(64, 64)]]


def test_variant_names():
    eg = ExperimentGrid("ppo")
    eg.add("env_name", "CartPole-v1", "", in_name=True)
    eg.add("seed", [0, 10])                    # never in the name
    eg.add("epochs", 10)                       # one value, not in_name: left out
    eg.add("ac_kwargs:hidden_sizes", [(32,), (64, 64)], "hid")
    eg.add("use_gae", [True, False])           # a bool shows only when True
    eg.add("Learning Rate!", [0.1, 0.2])       # odd characters in key and shorthand
    names = sorted({eg.variant_name(v) for v in eg.variants()})
    assert names == [
        "ppo_cartpole-v1_hid32_lea0-1", "ppo_cartpole-v1_hid32_lea0-2",
        "ppo_cartpole-v1_hid32_use_lea0-1", "ppo_cartpole-v1_hid32_use_lea0-2",
        "ppo_cartpole-v1_hid64-64_lea0-1", "ppo_cartpole-v1_hid64-64_lea0-2",
        "ppo_cartpole-v1_hid64-64_use_lea0-1", "ppo_cartpole-v1_hid64-64_use_lea0-2"]


def test_variant_name_without_grid_name_uses_the_path_safe_key(monkeypatch):
    monkeypatch.setattr(run_utils, "DEFAULT_SHORTHAND", False)
    eg = ExperimentGrid()
    eg.add("Pi LR", [0.1, 0.2])
    assert eg.variant_name({"Pi LR": 0.1}) == "pi-lr0-1"


def test_variants_order_and_nesting():
    eg = ExperimentGrid()
    eg.add("a", [1, 2])
    eg.add("b:c:d", ["x", "y"])
    eg.add("b:c:e", 0)
    eg.add("b:f", True)
    assert eg.variants() == [
        {"a": 1, "b": {"c": {"d": "x", "e": 0}, "f": True}},
        {"a": 1, "b": {"c": {"d": "y", "e": 0}, "f": True}},
        {"a": 2, "b": {"c": {"d": "x", "e": 0}, "f": True}},
        {"a": 2, "b": {"c": {"d": "y", "e": 0}, "f": True}},
    ]
    assert eg.variant_name(eg.variants()[1]) == "a1_b-c-dy"


@pytest.mark.parametrize("keys", [["a", "a:b"], ["a:b", "a"], ["x:a:b", "x:a"]])
def test_a_key_cannot_be_both_a_leaf_and_a_prefix(keys):
    eg = ExperimentGrid()
    for k in keys:
        eg.add(k, {"inner": 1})
    with pytest.raises(GridError, match="You can't assign multiple values to the same key"):
        eg.variants()
    with pytest.raises(AssertionError):  # what the original raised
        eg.variants()


@pytest.mark.parametrize("call, message", [
    (lambda eg: eg.add(3, [1]), "Key must be a string"),
    (lambda eg: eg.add("k", [1], shorthand=2), "Shorthand must be a string"),
    (lambda eg: eg.add("k", []), "empty list of values"),
    (lambda eg: (eg.add("k", 1), eg.add("k", 2)), "already added"),
    (lambda eg: eg.name(5), "Name has to be a string"),
])
def test_bad_add_arguments(call, message):
    with pytest.raises(GridError, match=message):
        call(ExperimentGrid())


# --- print ------------------------------------------------------------------

def test_print_report(capsys):
    eg = ExperimentGrid("test")
    eg.add("seed", [0, 10])
    eg.add("ac_kwargs:hidden_sizes", [(32,), (64, 64)], "hid")
    eg.add("thunk", silent)
    eg.shs[2] = None
    eg.print()
    expected = (
        LINE + "\n"
        + colorize("ExperimentGrid [test] runs over parameters:\n", "green", bold=True) + "\n"
        + " " + colorize("seed".ljust(40), "cyan", bold=True) + " [see] \n\n"
        + "\t0\n\t10\n\n"
        + " " + colorize("ac_kwargs:hidden_sizes".ljust(40), "cyan", bold=True) + " [hid] \n\n"
        + "\t(32,)\n\t(64, 64)\n\n"
        + " " + colorize("thunk".ljust(40), "cyan", bold=True) + "  \n\n"
        + "\tsilent\n\n"
        + " Variants, counting seeds:               4\n"
        + " Variants, not counting seeds:           2\n"
        + "\n" + LINE + "\n")
    assert capsys.readouterr().out == expected


@pytest.mark.parametrize("length, broken", [(40, False), (41, True)])
def test_print_breaks_a_long_name_after_80_characters(length, broken, capsys):
    name = "n" * length
    ExperimentGrid(name).print()
    header = capsys.readouterr().out.splitlines()[1]
    if broken:
        assert header == "\x1b[32;1mExperimentGrid [%s]" % name
    else:
        assert header == "\x1b[32;1mExperimentGrid [%s] runs over parameters:" % name


# --- call_experiment ----------------------------------------------------------

def expected_start(exp_name, kwargs_json):
    return (colorize("Running experiment:\n", color="cyan", bold=True) + "\n"
            + exp_name + "\n\n"
            + colorize("with kwargs:\n", color="cyan", bold=True) + "\n"
            + kwargs_json + "\n" + "\n\n")


def expected_end(output_dir, policy=False):
    # The test_policy hint shows only when the run saved a policy.
    watch = ("Watch the trained agent with:\n\n"
             + colorize("python -m spinup.run test_policy " + output_dir, "green") + "\n\n\n")
    return ("\n" * 5 + LINE + "\nEnd of experiment.\n\n\nPlot results from this run with:\n\n"
            + colorize("python -m spinup.run plot " + output_dir, "green")
            + "\n\n\n" + (watch if policy else "") + LINE + "\n" * 5 + "\n")


ERROR_BANNER = (
    "\n\n\n" + LINE + "\n\n\n"
    "There appears to have been an error in your experiment.\n\n"
    "Check the traceback above to see what actually went wrong. The \n"
    "traceback below, included for completeness (but probably not useful\n"
    "for diagnosing the error), shows the stack leading up to the \n"
    "experiment launch.\n\n" + LINE + "\n\n\n\n")


def test_call_experiment_prints_runs_and_records(tmp_path, capfd):
    call_experiment("exp", silent, seed=4, data_dir=str(tmp_path))
    out_dir = os.path.join(str(tmp_path), "exp", "exp_s4")
    assert capfd.readouterr().out == (
        expected_start("exp", '{\n    "seed":\t4\n}') + expected_end(out_dir))
    status = read_json(os.path.join(out_dir, "status.json"))
    assert status["state"] == "finished" and status["exit_code"] == 0
    assert status["attempt"] == 1 and status["exp_name"] == "exp"
    assert isinstance(status["pid"], int) and status["host"]
    assert status["start"] <= status["end"] and status["duration"] >= 0


@pytest.mark.parametrize("folder", ["pyt_save", "tf1_save", "simple_save"])
def test_the_test_policy_hint_shows_only_when_a_policy_was_saved(folder, tmp_path, capfd):
    def saves(seed, logger_kwargs):
        os.makedirs(os.path.join(logger_kwargs["output_dir"], folder))

    call_experiment("exp", saves, data_dir=str(tmp_path))
    out_dir = os.path.join(str(tmp_path), "exp", "exp_s0")
    assert capfd.readouterr().out.endswith(expected_end(out_dir, policy=True))


def test_call_experiment_passes_kwargs_and_makes_env_fn(tmp_path):
    def uses_env(env_fn, seed, logger_kwargs, lr):
        env = env_fn()
        touch(seed, logger_kwargs, env=env.spec.id, lr=lr, n=int(env.action_space.n))

    call_experiment("env", uses_env, seed=1, data_dir=str(tmp_path), env_name="CartPole-v1",
                    lr=0.5)
    got = read_json(tmp_path / "env" / "env_s1" / "got.json")
    assert got == {"env": "CartPole-v1", "lr": 0.5, "n": 2, "seed": 1}


def test_call_experiment_forks_into_mpi_processes(tmp_path):
    def ranks(seed, logger_kwargs):
        from spinup.utils.mpi_tools import num_procs, proc_id
        os.makedirs(logger_kwargs["output_dir"], exist_ok=True)
        with open(os.path.join(logger_kwargs["output_dir"], "rank%d" % proc_id()), "w") as f:
            f.write("%d %d" % (num_procs(), seed))

    call_experiment("mpi", ranks, seed=5, num_cpu=2, data_dir=str(tmp_path))
    out = tmp_path / "mpi" / "mpi_s5"
    assert read(out / "rank0") == "2 5" and read(out / "rank1") == "2 5"
    assert read_json(out / "status.json")["state"] == "finished"


def test_call_experiment_keeps_given_logger_kwargs(tmp_path, capfd):
    out_dir = str(tmp_path / "mine")
    call_experiment("exp", touch, data_dir=str(tmp_path / "unused"),
                    logger_kwargs=dict(output_dir=out_dir), x=1)
    assert "Note: Call experiment is not handling logger_kwargs.\n" in capfd.readouterr().out
    assert read_json(os.path.join(out_dir, "got.json")) == {"x": 1, "seed": 0}
    assert not os.path.exists(tmp_path / "unused")


def test_call_experiment_failure_prints_banner_and_raises(tmp_path, capfd):
    with pytest.raises(subprocess.CalledProcessError) as info:
        call_experiment("bad", crash, data_dir=str(tmp_path))
    assert info.value.returncode == 1
    out, err = capfd.readouterr()
    assert "RuntimeError: this experiment crashes" in err
    assert out.endswith(ERROR_BANNER)
    status = read_json(tmp_path / "bad" / "bad_s0" / "status.json")
    assert status["state"] == "failed" and status["exit_code"] == 1


@pytest.mark.parametrize("num_cpu", [0, -2, 1.5, True, "all", None])
def test_call_experiment_refuses_bad_num_cpu(num_cpu, tmp_path):
    with pytest.raises(GridError, match="num_cpu must be a positive int or 'auto'"):
        call_experiment("exp", touch, num_cpu=num_cpu, data_dir=str(tmp_path))
    assert not os.path.exists(tmp_path / "exp")


def test_a_closure_of_10_mb_travels_through_a_private_file(tmp_path):
    payload = os.urandom(10 * 1024 * 1024)

    def big(seed, logger_kwargs):
        with open("/proc/self/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
        thunk_file = argv[2].decode()
        touch(seed, logger_kwargs, size=len(payload), argv_bytes=sum(map(len, argv)),
              mode=oct(os.stat(thunk_file).st_mode & 0o777), thunk_file=thunk_file,
              heavy=[m for m in ("numpy", "torch", "tensorflow", "ray") if m in sys.modules])

    call_experiment("big", big, data_dir=str(tmp_path))
    got = read_json(tmp_path / "big" / "big_s0" / "got.json")
    assert got["size"] == len(payload)
    assert got["argv_bytes"] < 500  # `ps` shows a file name, not the data
    assert got["mode"] == "0o600"
    assert got["heavy"] == []  # nothing heavy was imported before the thunk ran
    assert not os.path.exists(got["thunk_file"])  # removed once the run ended


# --- ExperimentGrid.run ---------------------------------------------------------

def test_grid_runs_every_variant_with_names_seeds_and_summary(tmp_path, capfd):
    eg = ExperimentGrid("g")
    eg.add("seed", [0, 1])
    eg.add("ret", [1.0, 5.0], "r")
    eg.run(logs_returns, data_dir=str(tmp_path))
    out = capfd.readouterr().out
    assert (colorize("Preparing to run the following experiments...", color="green",
                     bold=True) + "\n\ng_r1-0\ng_r5-0\n\n" + LINE) in out
    for name, seed, ret in [("g_r1-0", 0, 1.0), ("g_r1-0", 1, 1.0), ("g_r5-0", 1, 5.0)]:
        rows = read(tmp_path / name / ("%s_s%d" % (name, seed)) / "progress.txt").splitlines()
        assert rows[0].split("\t") == ["Epoch", "AverageEpRet", "StdEpRet"]
        assert float(rows[-1].split("\t")[1]) == ret + 2
    assert "[####################] 4/4 done | 0 running | 0 failed" in out
    summary = out[out.index("Summary of ExperimentGrid [g]"):]
    assert re.search(r"g_r5-0 +finished +\d+\.\ds +7 +%s" % re.escape(
        os.path.join(str(tmp_path), "g_r5-0", "g_r5-0_s1")), summary), summary


def test_launch_waits_with_a_notice_and_a_countdown(tmp_path, capfd, monkeypatch):
    monkeypatch.setattr(run_utils, "WAIT_BEFORE_LAUNCH", 0.05)
    ExperimentGrid("w").run(silent, data_dir=str(tmp_path))
    out, err = capfd.readouterr()
    assert colorize("\nLaunch delayed to give you a few seconds to review your experiments."
                    "\n\nTo customize or disable this behavior, change WAIT_BEFORE_LAUNCH in"
                    "\nspinup/user_config.py.\n\n", color="cyan", bold=True) + LINE + "\n" in out
    assert "Launching in...:" in err
    assert out.index("Launch delayed") < out.index("Running experiment")


def test_thunk_can_be_the_name_of_a_grid_key(tmp_path):
    def first(seed, logger_kwargs, x):
        touch(seed, logger_kwargs, which="first", x=x)

    def second(seed, logger_kwargs, x):
        touch(seed, logger_kwargs, which="second", x=x)

    eg = ExperimentGrid("t")
    eg.add("algo", [first, second], "")
    eg.add("x", 3)
    eg.run("algo", data_dir=str(tmp_path))
    assert read_json(tmp_path / "t_first" / "t_first_s0" / "got.json") == {
        "which": "first", "x": 3, "seed": 0}
    assert read_json(tmp_path / "t_second" / "t_second_s0" / "got.json")["which"] == "second"


def test_datestamped_grid_folders(tmp_path):
    eg = ExperimentGrid("d")
    eg.add("x", [1, 2])
    eg.run(touch, data_dir=str(tmp_path), datestamp=True)
    found = sorted(os.path.relpath(os.path.dirname(p), str(tmp_path))
                   for p in map(str, tmp_path.glob("*/*/got.json")))
    assert len(found) == 2
    for path, x in zip(found, [1, 2]):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d_d_x%d/\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d-d_x%d_s0"
                            % (x, x), path), path


def test_a_failing_variant_does_not_stop_the_others(tmp_path, capfd):
    eg = ExperimentGrid("f")
    eg.add("fail", [False, True], "fail")
    eg.add("seed", [0, 1])
    eg.add("ret", 2.0)
    with pytest.raises(GridRunError) as info:
        eg.run(logs_returns, data_dir=str(tmp_path))
    assert info.value.failed == ["f_fail", "f_fail"]
    assert "2 of 4 variants did not finish: f_fail, f_fail" in str(info.value)
    assert isinstance(info.value, subprocess.CalledProcessError)
    out = capfd.readouterr().out
    assert out.count("There appears to have been an error in your experiment.") == 2
    assert out.count("End of experiment.") == 2
    summary = out[out.index("Summary of ExperimentGrid"):]
    assert len(re.findall(r"f_fail +failed \(exit 1\) +\d+\.\ds +4 ", summary)) == 2
    assert len(re.findall(r"f +finished +\d+\.\ds +4 ", summary)) == 2
    assert read_json(tmp_path / "f" / "f_s1" / "status.json")["state"] == "finished"
    assert read_json(tmp_path / "f_fail" / "f_fail_s1" / "status.json")["state"] == "failed"


def test_fail_fast_stops_at_the_first_failure(tmp_path, capfd):
    eg = ExperimentGrid("ff")
    eg.add("fail", [True, False], "f")
    eg.add("seed", [0, 1])
    with pytest.raises(GridRunError) as info:
        eg.run(logs_returns, data_dir=str(tmp_path), fail_fast=True)
    states = [o.state for o in info.value.outcomes]
    assert states == ["failed", "not run", "not run", "not run"]
    assert not os.path.exists(tmp_path / "ff")  # the fail=False variants never ran


def test_fail_fast_cancels_running_variants(tmp_path):
    def slow_or_crash(seed, logger_kwargs, crash_now):
        if crash_now:
            time.sleep(0.5)
            raise RuntimeError("boom")
        os.makedirs(logger_kwargs["output_dir"])
        time.sleep(60)

    eg = ExperimentGrid("c")
    eg.add("crash_now", [False, True], "crash")
    with pytest.raises(GridRunError) as info:
        eg.run(slow_or_crash, data_dir=str(tmp_path), parallel=2, fail_fast=True)
    assert [o.state for o in info.value.outcomes] == ["cancelled", "failed"]
    status = read_json(tmp_path / "c" / "c_s0" / "status.json")
    assert status["state"] == "cancelled" and status["exit_code"] == -15  # stopped early


def test_parallel_variants_overlap_and_prefix_their_output(tmp_path, capfd):
    def meet(seed, logger_kwargs, i):
        # Each waits until the other has started: only runs that are alive
        # at the same time can both get past this (however slow the machine).
        open(tmp_path / ("started%d" % i), "w").close()
        deadline = time.time() + 60
        while not os.path.exists(tmp_path / ("started%d" % (1 - i))):
            assert time.time() < deadline, "the other variant never started alongside"
            time.sleep(0.05)
        print("hello from", i)
        touch(seed, logger_kwargs, met=True)

    eg = ExperimentGrid("p")
    eg.add("i", [0, 1])
    eg.run(meet, data_dir=str(tmp_path), parallel=2)
    for i in (0, 1):  # they ran at the same time
        assert read_json(tmp_path / ("p_i%d" % i) / ("p_i%d_s0" % i) / "got.json")["met"]
    out = capfd.readouterr().out
    # each line carries its own run's label (its folder's name), no colour
    # codes in a log that is not a terminal
    assert "[p_i0_s0] hello from 0\n" in out and "[p_i1_s0] hello from 1\n" in out
    assert "[p_i1_s0] Running experiment:\n" in out


def test_parallel_variants_share_the_cores_as_threads(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)

    def threads(seed, logger_kwargs, i):
        touch(seed, logger_kwargs, omp=os.environ.get("OMP_NUM_THREADS"),
              mkl=os.environ.get("MKL_NUM_THREADS"))

    eg = ExperimentGrid("t")
    eg.add("i", [0, 1])
    eg.run(threads, data_dir=str(tmp_path), parallel=2)
    expected = str(max(physical_cores() // 2, 1))
    for i in (0, 1):
        got = read_json(tmp_path / ("t_i%d" % i) / ("t_i%d_s0" % i) / "got.json")
        assert (got["omp"], got["mkl"]) == (expected, expected)


def test_oversubscription_is_announced(tmp_path, capfd):
    eg = ExperimentGrid("o")
    eg.add("x", list(range(physical_cores() + 1)))
    eg.run(silent_x, data_dir=str(tmp_path), parallel=physical_cores() + 1)
    assert "physical cores; they will compete for CPU time" in capfd.readouterr().out


def silent_x(seed, logger_kwargs, x):
    pass


def test_parallel_auto_stays_within_the_cores(tmp_path, capfd):
    eg = ExperimentGrid("a")
    eg.add("x", [1, 2, 3])
    eg.run(silent_x, data_dir=str(tmp_path), parallel="auto")
    out = capfd.readouterr().out
    assert "compete for CPU time" not in out
    assert "3/3 done" in out


# --- resume ---------------------------------------------------------------------

def counting(seed, logger_kwargs, x, flag_file):
    """Counts its runs in runs.txt; fails while flag_file exists."""
    out = logger_kwargs["output_dir"]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "runs.txt"), "a") as f:
        f.write("run\n")
    logs_returns(seed, logger_kwargs, ret=x, fail=x == 2 and os.path.exists(flag_file))


def resumable(seed, logger_kwargs, x, flag_file, resume=False):
    with open(os.path.join(os.path.dirname(flag_file), "resume_%s.txt" % x), "a") as f:
        f.write("%s\n" % resume)
    counting(seed, logger_kwargs, x, flag_file)


def test_resume_skips_finished_variants_and_never_duplicates_rows(tmp_path, capfd):
    flag = tmp_path / "fail_now"
    flag.write_text("")
    data = tmp_path / "data"
    eg = ExperimentGrid("r")
    eg.add("x", [1, 2, 3])
    eg.add("flag_file", str(flag))
    with pytest.raises(GridRunError):
        eg.run(counting, data_dir=str(data))
    flag.unlink()
    eg.run(counting, data_dir=str(data), resume=True)
    out = capfd.readouterr().out
    assert "Resuming: 2 of 3 variants finished before and are skipped; 1 will run" in out
    for x, runs in [(1, 1), (2, 2), (3, 1)]:
        d = data / ("r_x%d" % x) / ("r_x%d_s0" % x)
        assert read(d / "runs.txt").count("run") == runs
        assert len(read(d / "progress.txt").splitlines()) == 4  # header + 3 epochs, once
        status = read_json(d / "status.json")
        assert status["state"] == "finished" and status["attempt"] == runs
    # the partial progress of the failed attempt was moved aside, not lost
    assert len(read(data / "r_x2" / "r_x2_s0" / "progress.txt.1").splitlines()) == 4
    summary = out[out.index("Summary of ExperimentGrid [r]"):]
    assert re.search(r"r_x1 +skipped", summary) and re.search(r"r_x2 +finished", summary)


def test_resume_tells_a_resumable_thunk_to_resume(tmp_path):
    flag = tmp_path / "fail_now"
    flag.write_text("")
    eg = ExperimentGrid("rr")
    eg.add("x", [1, 2])
    eg.add("flag_file", str(flag))
    with pytest.raises(GridRunError):
        eg.run(resumable, data_dir=str(tmp_path / "data"))
    flag.unlink()
    eg.run(resumable, data_dir=str(tmp_path / "data"), resume=True)
    assert read(tmp_path / "resume_1.txt") == "False\n"  # finished: not rerun
    assert read(tmp_path / "resume_2.txt") == "False\nTrue\n"


def test_resume_refuses_a_variant_that_is_still_running(tmp_path):
    # A live process that looks like a variant's process.
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                             "run_entrypoint"])
    try:
        out_dir = tmp_path / "busy" / "busy_s0"
        out_dir.mkdir(parents=True)
        import socket
        (out_dir / "status.json").write_text(json.dumps(dict(
            state="running", pid=proc.pid, host=socket.gethostname(), attempt=1)))
        eg = ExperimentGrid("busy")
        with pytest.raises(GridError, match="still running"):
            eg.run(touch, data_dir=str(tmp_path), resume=True)
        proc.kill()
        proc.wait()
        eg.run(touch, data_dir=str(tmp_path), resume=True)  # a dead pid is just stale
        assert read_json(out_dir / "status.json")["attempt"] == 2
    finally:
        proc.kill()
        proc.wait()


# --- bad input to run -------------------------------------------------------------

def grid(*keys):
    eg = ExperimentGrid("bad")
    for key, vals in keys:
        eg.add(key, vals)
    return eg


@pytest.mark.parametrize("make, args, kwargs, message", [
    (lambda: grid(("x", [1])), ("nokey",), {}, "names no .*key of the grid"),
    (lambda: grid(("algo", [1, 2])), ("algo",), {}, "values are callables"),
    (lambda: grid(("x", [1])), (3,), {}, "thunk must be a callable"),
    (lambda: grid(("x", [1]), ("x:y", [2])), (touch,), {}, "multiple values to the same key"),
    (lambda: grid(("x", [1])), (touch,), {"num_cpu": 0}, "num_cpu must be a positive int"),
    (lambda: grid(("x", [1])), (touch,), {"num_cpu": "many"}, "num_cpu must be"),
    (lambda: grid(("x", [1])), (touch,), {"parallel": 0}, "parallel must be a positive int"),
    (lambda: grid(("x", [1])), (touch,), {"parallel": 1.5}, "parallel must be"),
    (lambda: grid(("x", [1])), (touch,), {"backend": "slurm"}, "backend must be"),
    (lambda: grid(("x", [1])), (touch,), {"address": "1.2.3.4:6379"}, "is for backend='ray'"),
    (lambda: grid(("x", [1])), (touch,), {"resume": True, "datestamp": True}, "datestamp"),
    (lambda: grid(("num_cpu", [1, 2])), (touch,), {}, "argument of run"),
    (lambda: grid(("exp_name", ["a"])), (touch,), {}, "set by the grid"),
    (lambda: grid(("x", [0.5, "0.5"])), (touch,), {}, "would both write to"),
    (lambda: ExperimentGrid("../outside"), (touch,), {}, "outside data_dir"),
])
def test_bad_run_arguments_fail_before_anything_launches(make, args, kwargs, message,
                                                          tmp_path, capfd):
    eg = make()
    with pytest.raises(GridError, match=message):
        eg.run(*args, data_dir=str(tmp_path / "data"), **kwargs)
    assert not os.path.exists(tmp_path / "data")
    assert "Running experiment" not in capfd.readouterr().out


def test_what_does_not_pickle_is_named_before_any_launch(tmp_path, capfd):
    import threading
    eg = ExperimentGrid("pk")
    eg.add("x", [1, 2])
    eg.add("lock", threading.Lock())
    with pytest.raises(GridError, match="argument 'lock' does not pickle .*TypeError"):
        eg.run(touch, data_dir=str(tmp_path / "data"))
    lock = threading.Lock()

    def holds_a_lock(seed, logger_kwargs):
        with lock:
            pass

    with pytest.raises(GridError, match="'exp' cannot be sent .*: the function does not"):
        call_experiment("exp", holds_a_lock, data_dir=str(tmp_path / "data"))
    assert not os.path.exists(tmp_path / "data")
    assert "Running experiment" not in capfd.readouterr().out


# --- light imports, progress bar ---------------------------------------------

def test_importing_run_utils_imports_no_framework(python_runner):
    proc = python_runner("import sys, spinup.utils.run_utils\n"
                         "print([m for m in ('tensorflow', 'torch', 'ray') if m in sys.modules])")
    assert proc.stdout.strip() == "[]"


def test_the_bar_counts_rows_as_progress_grows_and_after_a_rewind(tmp_path):
    from spinup.utils._grid.reporter import _RowCounter
    counter, progress = _RowCounter(), tmp_path / "progress.txt"
    assert counter.rows(str(tmp_path)) == 0  # not there yet
    progress.write_text("Epoch\tAverageEpRet\n0\t1.0\n")
    assert counter.rows(str(tmp_path)) == 1
    with open(progress, "a") as f:
        f.write("1\t2.0\n2\t3.0\n")
    assert counter.rows(str(tmp_path)) == 3
    progress.write_text("Epoch\tAverageEpRet\n")  # a resumed run rewinds its file
    assert counter.rows(str(tmp_path)) == 0


def test_live_bar_counts_epochs_and_stays_below_the_output(tmp_path):
    from spinup.utils._grid.reporter import Reporter
    from spinup.utils._grid.trial import Outcome, Trial
    dirs = [tmp_path / "a_s0", tmp_path / "a_s1"]
    trials = [Trial("a", d.name, b"", str(d), epochs=10) for d in dirs]
    buf = io.StringIO()
    reporter = Reporter(capture=True, stream=buf, live=True, color=False)
    reporter.begin(trials)
    for t in trials:
        reporter.started(t)
    dirs[0].mkdir()
    (dirs[0] / "progress.txt").write_text("Epoch\n0\n1\n2\n")  # 3 epochs done
    reporter.output(trials[0], "hello")
    reporter.ended(trials[1], Outcome("a", str(dirs[1]), "failed", exit_code=1))
    reporter.close()
    text = buf.getvalue()
    assert "[a_s0] hello\n" in text
    last = text.rsplit("\r", 1)[1]  # the bar as it was left
    assert "13/20 epochs" in last and "0/2 done | 1 running | 1 failed" in last, last


# --- parallel logs and the summary file, as a user's script sees them ---------

GRID_SCRIPT = """
from spinup.utils.logx import EpochLogger
from spinup.utils.run_utils import ExperimentGrid

def train(lr, seed, epochs=3, logger_kwargs=dict()):
    logger = EpochLogger(**logger_kwargs)
    logger.save_config(dict(lr=lr, seed=seed, epochs=epochs))
    for epoch in range(epochs):
        logger.store(EpRet=lr * epoch + seed)
        logger.log_tabular("Epoch", epoch)
        logger.log_tabular("EpRet", with_min_and_max=True)
        logger.dump_tabular()

if __name__ == "__main__":
    eg = ExperimentGrid("ux")
    eg.add("lr", [0.1, 0.2], in_name=True)
    eg.add("seed", [0, 10])
    eg.run(train, data_dir="data", parallel=2)
"""
LABELS = {"ux_lr0-1_s0", "ux_lr0-1_s10", "ux_lr0-2_s0", "ux_lr0-2_s10"}
STATUS_LINE = re.compile(r"\[[#-]{20}\] \d/4 done \| \d running \| \d failed \| elapsed ")
LABELLED_LINE = re.compile(r"\[(?P<label>[^\]]+)\] (?P<text>.*\S.*)")


def run_grid_script(tmp_path, stdout, env=None):
    (tmp_path / "grid.py").write_text(GRID_SCRIPT)
    return subprocess.Popen([sys.executable, "grid.py"], cwd=str(tmp_path), stdout=stdout,
                            stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})))


def test_a_parallel_grid_log_tells_every_run_apart(tmp_path):
    with open(tmp_path / "log.txt", "w") as log:
        assert run_grid_script(tmp_path, log).wait(timeout=120) == 0
    text = read(tmp_path / "log.txt")
    assert "\x1b" not in text  # not a terminal: no colour codes at all
    lines = text.split("\n")
    start = lines.index("Preparing to run the following experiments...")
    start = lines.index("=" * 80, start) + 1
    end = lines.index("Summary of ExperimentGrid [ux]:") - 2  # a blank line, then ===
    seen = collections.defaultdict(list)
    for line in lines[start:end]:
        if STATUS_LINE.match(line):
            continue
        m = LABELLED_LINE.fullmatch(line)
        assert m and m["label"] in LABELS, "line without its run's label: %r" % line
        seen[m["label"]].append(m["text"])
    assert set(seen) == LABELS
    for label, texts in seen.items():
        assert texts[0] == "Running experiment:"
        logging_to = [t for t in texts if t.startswith("Logging data to")]
        assert len(logging_to) == 1 and label in logging_to[0]  # its own lines only
        assert sum("AverageEpRet" in t for t in texts) == 3  # its 3 epoch tables

    with open(tmp_path / "data" / "ux_summary.csv", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames == ["seed", "lr", "exp_name", "state", "exit_code", "duration",
                                 "performance", "output_dir"]
    assert [(r["seed"], r["lr"], r["state"]) for r in rows] == [
        ("0", "0.1", "finished"), ("10", "0.1", "finished"),
        ("0", "0.2", "finished"), ("10", "0.2", "finished")]
    for r in rows:
        assert os.path.basename(r["output_dir"]) in LABELS
        assert float(r["performance"]) == pytest.approx(2 * float(r["lr"]) + int(r["seed"]))
    with open(tmp_path / "data" / "ux_summary_variants.csv", newline="") as f:
        variants = list(csv.DictReader(f))
    assert [(v["lr"], v["runs"], v["finished"]) for v in variants] == [
        ("0.1", "2", "2"), ("0.2", "2", "2")]
    assert float(variants[0]["performance_mean"]) == pytest.approx(5.2)
    assert float(variants[0]["performance_std"]) == pytest.approx(7.0711, abs=1e-4)
    summary = text[text.index("Summary of ExperimentGrid [ux]:"):]
    assert re.search(r"\n10 +0\.2 +ux_lr0-2 +finished +\d+\.\ds +10\.4 +data/ux_lr0-2/"
                     r"ux_lr0-2_s10\n", summary), summary
    assert re.search(r"\n0\.1 +ux_lr0-1 +2/2 +5\.2 ± 7\.07\n", summary), summary


def read_terminal(tmp_path, env=None):
    """Run the grid script on a real pseudo-terminal; return what it showed."""
    import fcntl
    import pty
    import struct
    import termios
    master, slave = pty.openpty()
    # 24 rows of 120 columns, as a terminal window has (a new pty has 0x0)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = run_grid_script(tmp_path, slave, env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_on_a_terminal_the_runs_keep_colours_under_a_live_bar(tmp_path):
    shown = read_terminal(tmp_path)
    for label in LABELS:
        assert "[%s] \x1b[0m" % label in shown  # a coloured label
    assert re.search(r"100%\|[^\r\n]*\| 12/12 epochs", shown)  # the bar counted epochs
    assert "4/4 done | 0 running | 0 failed" in shown


def test_no_color_turns_colours_off_on_a_terminal(tmp_path):
    shown = read_terminal(tmp_path, env={"NO_COLOR": "1"})
    assert not re.search(r"\x1b\[[0-9;]*m", shown)
    assert "[ux_lr0-2_s10] Running experiment:" in shown


def test_a_datestamped_grid_keeps_its_summary_in_its_dated_folder(tmp_path):
    eg = ExperimentGrid("d")
    eg.add("seed", [0, 1])
    eg.run(touch, data_dir=str(tmp_path), datestamp=True)
    found = [os.path.relpath(str(p), str(tmp_path)) for p in tmp_path.glob("*/d_summary.csv")]
    assert len(found) == 1 and re.fullmatch(r"\d{4}-\d\d-\d\d_d/d_summary\.csv", found[0])
    runs = list(tmp_path.glob("*_d/*-d_s*"))
    assert len(runs) == 2  # beside the grid's own runs


def test_running_a_grid_again_moves_its_old_summary_aside(tmp_path):
    eg = ExperimentGrid("again")
    eg.add("x", [1, 2])
    eg.run(touch, data_dir=str(tmp_path))
    first = read(tmp_path / "again_summary.csv")
    eg.run(touch, data_dir=str(tmp_path), resume=True)
    assert read(tmp_path / "again_summary.csv.1") == first
    assert "skipped" in read(tmp_path / "again_summary.csv")
    assert "finished" in first
