"""The command line, `python -m spinup.run` and the `spinup` command, as a user runs it."""
import json
import os
import subprocess
import sys

import pytest

from spinup import _cli_grid as cli

SPINUP = os.path.join(os.path.dirname(sys.executable), "spinup")
TESTS_DIR = os.path.dirname(os.path.abspath(__file__))

# A user's own training functions, as in the "Running experiments" docs page.
USER_MODULE = '''
import os

import numpy as np
from spinup.utils.logx import EpochLogger
from spinup.utils.mpi_tools import num_procs


def train(seed=0, scale=1.0, epochs=5, logger_kwargs=dict()):
    """Log a noisy line, as a stand-in for a real training loop."""
    logger = EpochLogger(**logger_kwargs)
    logger.save_config(locals())
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        logger.log_tabular('Epoch', epoch)
        logger.log_tabular('AverageEpRet', scale * epoch + rng.normal())
        logger.log_tabular('TotalEnvInteracts', 1000 * (epoch + 1))
        logger.log_tabular('NumProcs', num_procs())
        logger.dump_tabular()


def net(seed=0, pi_lr=1e-3, ac_kwargs=dict(), logger_kwargs=dict()):
    """Note which variant ran, in the order they run."""
    with open("order.txt", "a") as f:
        f.write(os.path.basename(logger_kwargs["output_dir"]) + "\\n")


def outputs(seed=0, logger_kwargs=dict()):
    """Note which logger outputs this run was given."""
    with open("outputs.txt", "a") as f:
        f.write(os.environ.get("SPINUP_LOG_OUTPUTS", "-") + "\\n")


def old_gym(env_fn, seed=0, steps=300, logger_kwargs=dict()):
    """A loop in the style of the original Spinning Up, for gym < 0.26."""
    logger = EpochLogger(**logger_kwargs)
    env = env_fn()
    o, ep_ret, ep_len = env.reset(), 0, 0
    for t in range(steps):
        o = np.asarray(o, dtype=np.float32)  # gymnasium's (obs, info) fails here
        o, r, d, _ = env.step(int(o[2] > 0))
        ep_ret, ep_len = ep_ret + r, ep_len + 1
        if d:
            logger.store(EpRet=ep_ret, EpLen=ep_len)
            o, ep_ret, ep_len = env.reset(), 0, 0
    logger.log_tabular('Epoch', 0)
    logger.log_tabular('AverageEpRet', np.mean(logger.epoch_dict['EpRet']))
    logger.log_tabular('TotalEnvInteracts', steps)
    logger.dump_tabular()


def broken(seed=0, logger_kwargs=dict()):
    raise RuntimeError("this experiment is broken")
'''

# A module that knows nothing about MPI.
UNAWARE_MODULE = '''
def plain(seed=0, logger_kwargs=dict()):
    """A function that knows nothing about MPI."""
'''


def spinup(*args, cwd=None, console=False, timeout=180):
    """Run the command line; tests/ is importable (for tiny_agent)."""
    prog = [SPINUP] if console else [sys.executable, "-m", "spinup.run"]
    # The spinup next to these tests, whichever checkout that is.
    path = os.pathsep.join([TESTS_DIR, os.path.dirname(TESTS_DIR)])
    env = dict(os.environ, PYTHONPATH=path, SPINUP_WAIT_BEFORE_LAUNCH="0",
               OMP_NUM_THREADS="1")
    return subprocess.run(prog + [str(a) for a in args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


def progress_rows(run_dir):
    with open(os.path.join(run_dir, "progress.txt")) as f:
        lines = f.read().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def folders(path):
    """The folders in path (the grid also writes its summary files there)."""
    return sorted(p.name for p in path.iterdir() if p.is_dir())


@pytest.fixture
def user_module(tmp_path):
    (tmp_path / "train.py").write_text(USER_MODULE)
    (tmp_path / "unaware.py").write_text(UNAWARE_MODULE)
    return tmp_path


# ---------------------------------------------------------------- help

@pytest.mark.parametrize("args", [[], ["help"], ["-h"], ["--help"]])
def test_help_lists_commands_and_substitutions(args):
    proc = spinup(*args)
    assert proc.returncode == 0
    for word in ["ppo_tf1", "vpg_pytorch", "plot", "test_policy", "results",
                 "package.module:function",
                 "--hid       for       --ac_kwargs:hidden_sizes", "--parallel"]:
        assert word in proc.stdout


def test_help_after_an_algorithm_prints_its_docstring(user_module):
    proc = spinup("vpg", "--env", "CartPole-v1", "--help")
    assert proc.returncode == 0
    assert "Showing docstring for spinup.vpg_pytorch:" in proc.stdout
    # The signature with every default, as written in the source, then the
    # docstring's description of each argument.
    for default in ["    env_fn,\n", "    steps_per_epoch=4000,\n", "    pi_lr=3e-4,\n",
                    "    logger_kwargs=dict(),\n", "    *,\n    resume=False,\n)"]:
        assert default in proc.stdout
    assert "epochs (int): Number of epochs of interaction" in proc.stdout

    proc = spinup("unaware:plain", "-h", cwd=user_module)
    assert proc.returncode == 0
    assert "A function that knows nothing about MPI." in proc.stdout


def test_algorithm_help_imports_no_framework(python_runner):
    python_runner("""
        import contextlib, io, sys
        import spinup.run
        for algo in spinup.run.add_with_backends(spinup.run.BASE_ALGO_NAMES):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                try:
                    spinup.run.main([algo, "-h"])
                except SystemExit as e:
                    assert e.code is None
            assert "    epochs=" in out.getvalue() and "    logger_kwargs=dict()," in out.getvalue()
        assert "torch" not in sys.modules and "tensorflow" not in sys.modules
        """)


@pytest.mark.parametrize("util, flags", [
    ("plot", ["--legend", "--xaxis", "-x", "--value", "-y", "--count", "--smooth", "--select",
              "--exclude", "--est", "--savedir", "--format"]),
    ("test_policy", ["--len", "--episodes", "-n", "--norender", "--itr", "--deterministic",
                     "-d"]),
])
def test_utility_help_describes_every_flag_with_its_default(util, flags):
    proc = spinup(util, "--help")
    assert proc.returncode == 0, proc.stderr
    options = proc.stdout.split("options:")[1]
    for flag in flags:
        assert flag in options
    # One "(default: ...)" for each option but -h.
    described = [f for f in flags if f.startswith("--")]
    assert " ".join(options.split()).count("(default: ") == len(described)


# ---------------------------------------------------------------- usage errors

USAGE_ERRORS = [
    (["pp0"], "Unknown command 'pp0' (did you mean ppo?)"),
    (["ppo", "CartPole-v1"], "The first argument must be a flag"),
    (["ppo", "--env", "CartPole-v1", "--cpu", "2", "--num_cpu", "2"], "num_cpu was given twice"),
    (["ppo", "--env", "CartPole-v1", "--seed", "0", "--seed", "1"], "seed was given twice"),
    (["ppo", "--env", "CartPole-v1", "--data_dir", "a", "b"],
     "only provide one value for data_dir"),
    (["ppo", "--env", "CartPole-v1", "--cpu", "0"], "--num_cpu must be a whole number"),
    (["ppo", "--env", "CartPole-v1", "--parallel", "two"], "--parallel must be a whole number"),
    (["ppo", "--env", "CartPole-v1", "--backend", "slurm"], "--backend must be local or ray"),
    (["ppo", "--env", "CartPole-v1", "--dt", "yes"], "--datestamp takes True or False"),
    (["ppo", "--env", "CartPole-v1", "--exp_name", "a", "b"], "--exp_name takes exactly one"),
    (["ppo", "--env", "CartPol-v1"], "did you mean CartPole-v1"),
    (["ppo", "--seed", "0"], "You did not give a value for --env_name"),
    (["ppo", "--env[e", "CartPole-v1"], "a shorthand is written --key[sh]"),
    (["ppo", "--env", "CartPole-v1", "--pi-lr", "1"], "'--pi-lr' is not a valid flag"),
    (["nosuchmodule:train"], "No module named 'nosuchmodule'"),
    (["train:trian"], "has no function 'trian' (did you mean train?)"),
    (["train:train", "--scal", "2"], "train:train has no argument 'scal' (did you mean scale?)"),
    (["train:train", "--env", "CartPole-v1"], "takes no env_fn argument"),
    (["unaware:plain", "--cpu", "2"], "unaware:plain can't use MPI, so --num_cpu must be 1"),
    (["train:train", "--address", "ray://head:10001"], "is for backend='ray'"),
    (["train:train", "--resume", "--dt"], "resume=True needs stable output folders"),
    # Values checked against the function's defaults, before anything starts.
    (["train:train", "--epochs", "abc"], "--epochs takes a number (its default is 5), not 'abc'"),
    (["train:train", "--seed", "0", "abc"], "--seed takes a number (its default is 0), not 'abc'"),
    (["train:train", "--epochs"], "--epochs needs a value: a number"),
    (["train:train", "--epochs", "-3"], "--epochs can't be negative (got -3)"),
    (["train:net", "--hid", "[32,,]"], "can't evaluate '[32,,]' as Python (invalid syntax)"),
    (["train:net", "--act", "torch.nn.NotThere"], "torch.nn has no attribute 'NotThere'"),
    (["train:net", "--act", "nn.Relu"], "--act (ac_kwargs:activation): can't find nn.Relu: "
                                        "torch.nn has no attribute 'Relu' (did you mean ReLU"),
    # An unquoted (64, 64), split in two by the shell.
    (["train:net", "--hid", "(64,", "64)"], "can't evaluate '(64,' as Python ('(' was never "
                                            "closed). Quote values with spaces or brackets"),
    (["train:train", "--log_outputs", "csv", "jsnl"], "Unknown log output 'jsnl' (did you "
                                                       "mean jsonl?)"),
    (["train:train", "--log_outputs"], "--log_outputs needs one or more of: csv, jsonl"),
    (["train:train", "--tensorboard", "maybe"], "--tensorboard takes True or False"),
    (["train:train", "--env_api", "gym3"], "--env_api must be gymnasium (the default) or gym"),
    # The old workaround for TensorBoard, which sent the run to /tmp/experiments.
    (["train:train", "--logger_kwargs:tensorboard", "True"],
     "--logger_kwargs:tensorboard replaces the logger_kwargs each run gets from the grid, so "
     "its output would go to /tmp/experiments/ instead of the data dir. For more outputs use "
     "--tensorboard"),
]


@pytest.mark.parametrize("args, message", USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_errors_exit_2_with_a_short_message(args, message, user_module):
    proc = spinup(*args, cwd=user_module)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("spinup.run: error: ") and proc.stderr.count("\n") == 1
    assert not os.path.exists(user_module / "data"), "something ran before the error"


def test_a_bare_flag_still_means_true_for_other_arguments(user_module):
    words, _ = cli.parse_flags(["--flag", "--epochs", "3"])
    values = cli.evaluate_all(words)

    def train(seed=0, flag=False, epochs=5, logger_kwargs=dict()):
        pass

    cli.check_values(train, words, values)
    assert values == {"flag": [True], "epochs": [3]}


def test_an_algorithms_flags_are_checked_before_its_framework_loads(python_runner):
    python_runner("""
        import contextlib, io, sys
        import spinup.run
        for args, message in [
                (["ppo", "--env", "CartPole-v1", "--pi_lrr", "1"], "no argument 'pi_lrr'"),
                (["ppo", "--env", "CartPole-v1", "--epochs", "-1"], "can't be negative"),
                (["sac_tf1", "--env", "Pendulum-v1", "--seed", "x"], "--seed takes a number"),
                (["ddpg", "--env", "Pendulum-v1", "--act_noise"], "--act_noise needs a value")]:
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                try:
                    spinup.run.main(args)
                except SystemExit as e:
                    assert e.code == 2
            assert message in err.getvalue(), err.getvalue()
        assert "torch" not in sys.modules and "tensorflow" not in sys.modules
        """)


def test_an_algorithms_unknown_argument_is_refused():
    proc = spinup("ppo_pytorch", "--env", "CartPole-v1", "--pi_lrr", "1e-3")
    assert proc.returncode == 2
    assert "has no argument 'pi_lrr' (did you mean pi_lr?)" in proc.stderr
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- the grammar

def test_flags_values_shorthands_and_substitutions():
    words, shorthands = cli.parse_flags(
        ["--env", "CartPole-v1", "--hid[h]", "[32,32]", "(64,)", "--dt", "--pi_lr=3e-4", "1e-3",
         "--exp_name", "2024"])
    # In the original's order: plain flags, then --key[sh], then the shortcuts.
    assert list(words) == ["pi_lr", "exp_name", "env_name", "ac_kwargs:hidden_sizes", "datestamp"]
    assert shorthands == {"ac_kwargs:hidden_sizes": "h"}
    values = cli.evaluate_all(words)
    assert values == {"env_name": ["CartPole-v1"], "ac_kwargs:hidden_sizes": [[32, 32], (64,)],
                      "datestamp": [True], "pi_lr": [3e-4, 1e-3], "exp_name": ["2024"]}
    assert cli.pop_run_kwargs(values) == {"datestamp": True}
    assert cli.pop_exp_name(values, "cmd_ppo") == "2024"
    assert cli.pop_exp_name({}, "cmd_ppo") == "cmd_ppo"


def test_renamed_flags_go_last_in_the_order_of_the_original():
    words, _ = cli.parse_flags(["--dt", "--cpu", "1", "--act", "torch.nn.Tanh", "--hid", "[8]",
                                "--env", "CartPole-v1", "--seed", "0", "--clip_ratio[c]", "0.1",
                                "--pi_lr[lr]", "1e-3", "--gamma", "0.99"])
    assert list(words) == ["seed", "gamma", "clip_ratio", "pi_lr", "env_name",
                           "ac_kwargs:hidden_sizes", "ac_kwargs:activation", "num_cpu",
                           "datestamp"]
    # --env_name itself is no shortcut, so it keeps its place.
    words, _ = cli.parse_flags(["--env_name", "CartPole-v1", "--seed", "0"])
    assert list(words) == ["env_name", "seed"]


def test_old_command_lines_keep_their_folder_names_and_run_order(user_module):
    proc = spinup("train:net", "--hid[h]", "[32]", "[64]", "--pi_lr", "0.001", "0.0003",
                  "--exp_name", "g1", cwd=user_module)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    # The names and the order the original Spinning Up gives this command line.
    assert (user_module / "order.txt").read_text().split() == [
        "g1_pi0-001_h32_s0", "g1_pi0-001_h64_s0", "g1_pi0-0003_h32_s0", "g1_pi0-0003_h64_s0"]


def test_values_are_evaluated_or_kept_as_strings():
    assert cli.evaluate("0") == 0 and cli.evaluate("False") is False
    assert cli.evaluate("dict(a=1)") == {"a": 1}
    assert cli.evaluate("/tmp/x") == "/tmp/x"
    assert cli.evaluate("1 +") == "1 +"
    assert cli.evaluate("np.float32").__name__ == "float32"


def test_torch_is_imported_only_for_a_value_that_uses_it(python_runner):
    python_runner("""
        import sys
        from spinup import _cli_grid as cli
        import spinup.run
        words, _ = cli.parse_flags(['--env', 'CartPole-v1', '--seed', '0', '--hid', '(8,)'])
        cli.evaluate_all(words)
        assert 'torch' not in sys.modules and 'tensorflow' not in sys.modules
        assert cli.evaluate('torch.nn.ReLU').__name__ == 'ReLU'
        assert 'torch' in sys.modules and 'tensorflow' not in sys.modules
        """)


def test_which_functions_count_as_mpi_capable():
    from spinup.utils import mpi_tools

    def unaware(seed=0, logger_kwargs=dict()):
        pass

    assert not cli.is_mpi_capable(unaware)
    unaware.mpi_capable = True
    assert cli.is_mpi_capable(unaware)
    # Detected through the module's use of spinup's MPI helpers.
    assert cli.is_mpi_capable(mpi_tools.mpi_fork)


# ---------------------------------------------------------------- real runs

def test_own_function_grid_from_the_working_directory(user_module):
    # The `spinup` console script, run where the user's module lives.
    proc = spinup("train:train", "--seed", "0", "1", "--scale", "1", "2", "--epochs", "3",
                  "--parallel", "2", cwd=user_module, console=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    data = user_module / "data"
    assert folders(data) == ["cmd_train_sca1", "cmd_train_sca2"]
    assert sorted(os.listdir(data / "cmd_train_sca2")) == ["cmd_train_sca2_s0",
                                                           "cmd_train_sca2_s1"]
    run = data / "cmd_train_sca2" / "cmd_train_sca2_s1"
    config = json.loads((run / "config.json").read_text())
    assert (config["scale"], config["seed"], config["exp_name"]) == (2, 1, "cmd_train_sca2")
    assert [r["Epoch"] for r in progress_rows(run)] == ["0", "1", "2"]

    # The plot command, on the same folders, by prefix.
    proc = spinup("plot", data / "cmd_train", "--savedir", user_module / "plots",
                  cwd=user_module, console=True)
    assert proc.returncode == 0, proc.stderr
    with open(user_module / "plots" / "Performance.png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"

    # The results command: one line per variant, the varied key as a column.
    proc = spinup("results", data / "cmd_train", cwd=user_module, console=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["Variant", "scale", "Seeds", "Epochs", "Performance"]
    assert [line.split()[:4] for line in lines[2:]] == [["cmd_train_sca1", "1", "2", "3"],
                                                        ["cmd_train_sca2", "2", "2", "3"]]


def test_num_cpu_runs_an_mpi_capable_function_on_several_processes(user_module):
    proc = spinup("train:train", "--cpu", "2", "--epochs", "1", "--exp_name", "mpi",
                  cwd=user_module)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert progress_rows(user_module / "data" / "mpi" / "mpi_s0")[0]["NumProcs"] == "2"


def test_log_outputs_reach_every_launched_run(user_module):
    proc = spinup("train:outputs", "--seed", "0", "1", "--log_outputs", "csv", "jsonl",
                  "--tensorboard", "--parallel", "2", cwd=user_module)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert (user_module / "outputs.txt").read_text().split() == ["csv,jsonl,tensorboard"] * 2
    # Not a grid key: the folders are named as without it.
    assert folders(user_module / "data") == ["cmd_outputs"]

    proc = spinup("train:outputs", "--log_outputs", "mlflow,csv", "--exp_name", "again",
                  cwd=user_module)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert (user_module / "outputs.txt").read_text().split()[-1] == "mlflow,csv"


def test_log_outputs_are_written_by_the_runs_logger(user_module):
    proc = spinup("train:train", "--epochs", "2", "--log_outputs", "csv", "jsonl",
                  "--tensorboard", "--exp_name", "outs", cwd=user_module)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    run = user_module / "data" / "outs" / "outs_s0"
    assert (run / "progress.csv").read_text().splitlines()[0].startswith("Epoch,AverageEpRet")
    assert len((run / "progress.jsonl").read_text().splitlines()) == 2
    assert [p for p in run.rglob("events.out.tfevents.*")], "no TensorBoard event file"


def test_old_gym_api_code_runs_with_env_api_gym(user_module):
    proc = spinup("train:old_gym", "--env", "CartPole-v1", "--exp_name", "old",
                  "--env_api", "gym", cwd=user_module)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    row = progress_rows(user_module / "data" / "old" / "old_s0")[0]
    assert row["TotalEnvInteracts"] == "300" and float(row["AverageEpRet"]) > 20

    # The same code on gymnasium's API fails, as it did before env_api.
    proc = spinup("train:old_gym", "--env", "CartPole-v1", "--exp_name", "new",
                  cwd=user_module)
    assert proc.returncode == 1
    assert "inhomogeneous" in proc.stdout + proc.stderr


def test_a_failed_experiment_exits_1(user_module):
    proc = spinup("train:broken", "--exp_name", "oops", cwd=user_module)
    assert proc.returncode == 1
    assert "this experiment is broken" in proc.stdout + proc.stderr
    assert "1 of 1 variants did not finish: oops" in proc.stderr


ALGO_RUNS = {
    # command: (extra flags, files the save consists of)
    "ppo": (["--hid", "(8,)", "--act", "torch.nn.ReLU"], "pyt_save/model.pt"),
    "vpg_pytorch": (["--seed", "0", "1", "--parallel", "2"], "pyt_save/model.pt"),
    "ppo_tf1": (["--hid", "[8]", "--act", "tf.nn.relu"], "tf1_save/saved_model.pb"),
    # A Box action space; test_policy -d then acts with the saved mean 'mu'.
    "vpg_tf1": (["--env", "Pendulum-v1"], "tf1_save/saved_model.pb"),
}


@pytest.fixture(scope="module")
def algo_runs(tmp_path_factory):
    """A tiny run of each algorithm through the command line, started all at
    once (the machine has two cores; most of the time is imports)."""
    base = tmp_path_factory.mktemp("algos")
    procs = {}
    for cmd, (extra, _) in ALGO_RUNS.items():
        env = dict(os.environ, SPINUP_WAIT_BEFORE_LAUNCH="0", OMP_NUM_THREADS="1")
        env_flag = [] if "--env" in extra else ["--env", "CartPole-v1"]
        procs[cmd] = subprocess.Popen(
            [sys.executable, "-m", "spinup.run", cmd, *env_flag,
             "--epochs", "2", "--steps_per_epoch", "200", "--exp_name", cmd,
             "--data_dir", str(base), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    outputs = {cmd: proc.communicate(timeout=300)[0] for cmd, proc in procs.items()}
    return base, {cmd: (procs[cmd].returncode, outputs[cmd]) for cmd in procs}


@pytest.mark.parametrize("cmd", list(ALGO_RUNS))
def test_each_algorithm_runs_from_the_command_line(cmd, algo_runs):
    base, results = algo_runs
    code, output = results[cmd]
    assert code == 0, output[-4000:]
    runs = sorted(os.listdir(base / cmd))
    assert runs == ([cmd + "_s0", cmd + "_s1"] if cmd == "vpg_pytorch" else [cmd + "_s0"])
    run = base / cmd / runs[0]
    assert [r["Epoch"] for r in progress_rows(run)] == ["0", "1"]
    assert os.path.isfile(run / ALGO_RUNS[cmd][1])
    config = json.loads((run / "config.json").read_text())
    if "--hid" in ALGO_RUNS[cmd][0]:
        assert config["ac_kwargs"]["hidden_sizes"] == [8]
        assert config["ac_kwargs"]["activation"] in ("ReLU", "relu")

    deterministic = ["-d"] if cmd == "vpg_tf1" else []
    proc = spinup("test_policy", run, "-nr", "-n", "2", *deterministic)
    assert proc.returncode == 0, proc.stderr
    assert "Episode 1 \t EpRet" in proc.stdout


def test_test_policy_on_an_experiment_folder_names_its_runs(algo_runs):
    base, results = algo_runs
    assert results["vpg_pytorch"][0] == 0
    experiment = base / "vpg_pytorch"
    proc = spinup("test_policy", experiment, "-nr", "-n", "1")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert ("is an experiment folder with 2 runs (vpg_pytorch_s0, vpg_pytorch_s1): give one "
            "of them, e.g. python -m spinup.run test_policy %s" % (experiment / "vpg_pytorch_s0")
            in proc.stderr)


def test_test_policy_remakes_the_env_from_the_config_of_a_cli_run(algo_runs):
    base, results = algo_runs
    assert results["vpg_pytorch"][0] == 0
    run = base / "vpg_pytorch" / "vpg_pytorch_s1"
    os.remove(run / "vars.pkl")
    proc = spinup("test_policy", run, "-nr", "-n", "1")
    assert proc.returncode == 0, proc.stderr
    assert "making CartPole-v1 anew (from config.json)" in proc.stdout
    assert "Episode 0 \t EpRet" in proc.stdout
