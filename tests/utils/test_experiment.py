"""Tests for spinup.utils.experiment: garage-style experiments that produce
Spinning Up outputs (progress.txt, snapshots) in their own log directories."""
import enum
import functools
import json
import os
import os.path as osp
import pickle
import stat
import subprocess
import sys
import tarfile
import tempfile
import time

import cloudpickle
import numpy as np
import pytest

from spinup.utils import plot
from spinup.utils._context import current_context
from spinup.utils.experiment import (
    ExperimentArgumentError,
    ExperimentContext,
    ExperimentTemplate,
    LogEncoder,
    dump_json,
    get_metadata,
    make_launcher_archive,
    run_experiment,
    to_local_command,
    wrap_experiment,
)
from spinup.utils.logx import EpochLogger, load_state


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """Experiments write under tmp_path/data; the launcher (the __main__
    file) is a script outside any git repository."""
    data = tmp_path / "data"
    # Through the environment: user_config reads it at each call.
    monkeypatch.setenv("SPINUP_DATA_DIR", str(data))
    launcher = tmp_path / "launcher.py"
    launcher.write_text("# stands in for the script that started the experiment\n")
    monkeypatch.setattr(sys.modules["__main__"], "__file__", str(launcher), raising=False)
    return data


def read_json(path):
    with open(path) as f:
        return json.load(f)


def files_in(folder):
    return sorted(p for p in os.listdir(folder) if not p.startswith("."))


# -- wrap_experiment: directories, names, arguments -------------------------------

def test_bare_decorator_gives_the_function_a_context_and_a_log_dir(data_dir):
    @wrap_experiment
    def my_experiment(ctxt, seed, lr=0.5):
        """Train something."""
        assert current_context() is ctxt  # what the logger will see
        return ctxt, seed, lr

    assert isinstance(my_experiment, ExperimentTemplate)
    assert my_experiment.__name__ == "my_experiment"
    assert my_experiment.__doc__ == "Train something."

    ctxt, seed, lr = my_experiment(seed=3)
    assert (seed, lr) == (3, 0.5)
    assert current_context() is None
    assert ctxt.snapshot_dir == str(data_dir / "local" / "experiment" / "my_experiment")
    assert (ctxt.snapshot_mode, ctxt.snapshot_gap) == ("last", 1)
    assert read_json(osp.join(ctxt.snapshot_dir, "variant.json")) == {"seed": 3}
    metadata = read_json(osp.join(ctxt.snapshot_dir, "metadata.json"))
    assert metadata["launcher"] == osp.realpath(str(data_dir.parent / "launcher.py"))
    assert "not in a git repository" in metadata["note"] and "githash" not in metadata
    assert files_in(ctxt.snapshot_dir) == ["metadata.json", "variant.json"]


def test_taken_log_dirs_get_numeric_suffixes_unless_reused(data_dir):
    @wrap_experiment(archive_launch_repo=False)
    def exp(ctxt):
        return ctxt.snapshot_dir

    base = str(data_dir / "local" / "experiment" / "exp")
    assert [exp() for _ in range(3)] == [base, base + "_1", base + "_2"]

    reuse = wrap_experiment(exp.function, use_existing_dir=True, archive_launch_repo=False)
    assert reuse() == base
    # A per-call override, garage style: a dict of options as the only
    # positional argument.
    assert exp(dict(use_existing_dir=True)) == base
    assert files_in(osp.dirname(base)) == ["exp", "exp_1", "exp_2"]


def test_name_prefix_and_name_parameters(data_dir):
    def exp(ctxt, env_name, seed=0, hid=(64, 64), act=np.tanh, **extra):
        return osp.relpath(ctxt.snapshot_dir, str(data_dir / "local"))

    named = wrap_experiment(exp, name="cartpole", prefix="grp/ppo", archive_launch_repo=False)
    assert named(env_name="CartPole-v1") == "grp/ppo/cartpole"

    # Definition order, not call order; as in garage, what **extra catches
    # never goes into the name.
    passed = wrap_experiment(exp, name_parameters="passed", archive_launch_repo=False)
    assert passed(seed=2, env_name="CartPole-v1", note="x") == \
        "experiment/exp_env_name=CartPole-v1_seed=2"

    every = wrap_experiment(exp, name_parameters="all", archive_launch_repo=False)
    assert every(env_name="a/b c") == "experiment/exp_env_name=a-b-c_seed=0_hid=64-64_act=tanh"


def test_explicit_log_dir_is_used_as_given(data_dir, tmp_path):
    run = tmp_path / "runs" / "first"
    exp = wrap_experiment(lambda ctxt: ctxt.snapshot_dir, log_dir=str(run),
                          archive_launch_repo=False)
    assert exp() == str(run)
    # Holding results now: a second run must not mix its files into them.
    assert exp() == str(run) + "_1"
    empty = tmp_path / "made_by_hand"
    empty.mkdir()
    assert exp(dict(log_dir=str(empty))) == str(empty)
    assert not data_dir.exists()


def test_bad_calls_are_refused_before_anything_is_written(data_dir):
    @wrap_experiment(archive_launch_repo=False)
    def exp(ctxt, seed, lr=0.5):
        return seed

    with pytest.raises(ValueError, match=r"only accepts keyword arguments.*exp\(seed=1"):
        exp(1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'lrate'"):
        exp(seed=1, lrate=0.1)
    with pytest.raises(TypeError, match="missing a required argument: 'seed'"):
        exp()
    with pytest.raises(ValueError, match="unknown option.*seed"):
        exp({"seed": 1})
    assert not data_dir.exists()

    with pytest.raises(ValueError, match="'all', 'last', 'gap', 'gap_and_last', "
                                         "'gap_overwrite', 'none'"):
        wrap_experiment(snapshot_mode="every")
    with pytest.raises(ValueError, match="snapshot_gap must be a positive int"):
        wrap_experiment(snapshot_mode="gap", snapshot_gap=0)
    with pytest.raises(ValueError, match="outside <data>/local"):
        wrap_experiment(prefix="../elsewhere")
    def no_ctxt(*, seed):
        pass

    with pytest.raises(ValueError, match=r"named 'ctxt' instead of 'seed'.*def no_ctxt\(ctxt"):
        wrap_experiment(no_ctxt)
    with pytest.raises(ValueError, match="apply the result of wrap_experiment"):
        wrap_experiment(snapshot_mode="all")(seed=1)
    with pytest.raises(ValueError, match="Unknown snapshot_mode"):
        ExperimentContext(snapshot_dir="/tmp/x", snapshot_mode="best", snapshot_gap=1)


# -- garage parity: the errors, names and signatures garage's own tests expect ---------

def test_mistakes_raise_value_error_as_in_garage(data_dir):
    @wrap_experiment(archive_launch_repo=False)
    def exp(ctxt, seed=1):
        return seed

    def no_params():
        pass

    def method_like(self, seed):
        pass

    mistakes = [
        lambda: exp(1),                              # a positional argument
        lambda: exp(dict(logdir="/tmp/x")),          # an unknown option
        lambda: wrap_experiment(no_params),          # no parameters at all
        lambda: wrap_experiment(method_like),        # first parameter not named ctxt
        lambda: wrap_experiment()(42),               # the decorator applied to a non-function
        lambda: run_experiment(1, dry=True),         # a method call that is not callable
        lambda: run_experiment(batch_tasks=[dict(method_call=3)], dry=True),
    ]
    for mistake in mistakes:
        with pytest.raises(ValueError) as info:
            mistake()
        # Still a TypeError for callers who caught what spinup raised before.
        assert isinstance(info.value, TypeError)
        assert isinstance(info.value, ExperimentArgumentError)
    assert not data_dir.exists()

    with pytest.raises(ValueError, match=r"first parameter named 'ctxt', but .* has no param"):
        wrap_experiment(no_params)
    with pytest.raises(ValueError, match=r"named 'ctxt' instead of 'self'"):
        wrap_experiment(method_like)
    with pytest.raises(ValueError, match="Unknown|unknown option.*logdir"):
        exp(dict(logdir="/tmp/x"))


def test_name_parameters_are_checked_when_the_experiment_is_called(data_dir):
    # A bad value must not break the decoration itself (garage checks it late).
    @wrap_experiment(name_parameters="some", archive_launch_repo=False)
    def exp(ctxt, seed=1):
        return ctxt.snapshot_dir

    with pytest.raises(ValueError, match=r"wrap_experiment\.name_parameters .*'some'"):
        exp(seed=2)
    assert not data_dir.exists()
    assert exp(dict(name_parameters="all")).endswith("/exp_seed=1")

    # garage >= 2020.10 also takes a list of parameter names.
    def lr_exp(ctxt, seed, lr=0.5, batch=32):
        return osp.basename(ctxt.snapshot_dir)

    chosen = wrap_experiment(lr_exp, name_parameters=["batch", "lr"], archive_launch_repo=False)
    assert chosen(seed=0, batch=64) == "lr_exp_lr=0.5_batch=64"
    with pytest.raises(ValueError, match="'epochs'.*has: seed, lr, batch"):
        wrap_experiment(lr_exp, name_parameters=["epochs"])(seed=0)


def test_signature_shows_what_a_caller_passes():
    import inspect

    @wrap_experiment
    def exp(ctxt, seed, lr=0.5, *rest, **extra):
        pass

    assert str(inspect.signature(exp)) == "(*, seed, lr=0.5, **extra)"
    # Tools that read the signature see keyword-only arguments without ctxt.
    with pytest.raises(TypeError):
        inspect.signature(exp).bind(1)


def test_x_axis_is_recorded_and_is_the_plot_default(data_dir, tmp_path):
    @wrap_experiment(x_axis="Epoch", archive_launch_repo=False)
    def by_epoch(ctxt):
        logger = EpochLogger()
        for epoch in range(3):
            logger.log_tabular("Epoch", epoch)
            logger.log_tabular("AverageEpRet", float(epoch))
            logger.dump_tabular()
        logger.close()
        return ctxt.snapshot_dir

    log_dir = by_epoch()
    assert read_json(osp.join(log_dir, "metadata.json"))["x_axis"] == "Epoch"
    # No TotalEnvInteracts column: only the recorded x axis makes a figure.
    saved = plot.make_plots([log_dir + os.sep], savedir=str(tmp_path / "figs"))
    assert saved == [str(tmp_path / "figs" / "Performance.png")]
    with pytest.raises(ValueError, match="x_axis must be the name"):
        wrap_experiment(x_axis=3)


def test_data_dir_is_read_when_the_experiment_is_called(python_runner, tmp_path):
    (tmp_path / "later").mkdir()
    proc = python_runner("""
        import os, sys
        from spinup.utils.experiment import wrap_experiment
        from spinup.utils.run_utils import setup_logger_kwargs

        @wrap_experiment(archive_launch_repo=False)
        def exp(ctxt):
            print("LOG_DIR=" + ctxt.snapshot_dir)

        os.chdir(sys.argv[1])  # after importing spinup, as a launcher may
        exp()
        print("GRID_DIR=" + setup_logger_kwargs("grid", seed=0)["output_dir"])
        """, str(tmp_path / "later"), cwd=str(tmp_path), env={"SPINUP_DATA_DIR": ""})
    later = str(tmp_path / "later" / "data")
    assert "LOG_DIR=%s/local/experiment/exp" % later in proc.stdout.splitlines()
    assert "GRID_DIR=%s/grid/grid_s0" % later in proc.stdout.splitlines()
    assert not (tmp_path / "data").exists()


def test_templates_pickle_and_keep_their_options(data_dir):
    exp = wrap_experiment(functools.partial(_module_level_experiment, scale=2),
                          snapshot_mode="gap", snapshot_gap=3, archive_launch_repo=False)
    copy = cloudpickle.loads(cloudpickle.dumps(exp))
    assert (copy.snapshot_mode, copy.snapshot_gap) == ("gap", 3)
    assert copy(x=5) == 10
    # A decorated module-level experiment pickles by name with plain pickle.
    assert pickle.loads(pickle.dumps(picklable_experiment)) is picklable_experiment


def _module_level_experiment(ctxt, x, scale=1):
    assert ctxt.snapshot_gap == 3
    return x * scale


@wrap_experiment(archive_launch_repo=False)
def picklable_experiment(ctxt, seed):
    return seed


# -- inside an experiment: Spinning Up's logger, plotter and policy loader --------

def test_epoch_logger_writes_into_the_experiment_and_plot_reads_it(data_dir):
    @wrap_experiment(archive_launch_repo=False)
    def cartpole(ctxt, seed, epochs=3):
        logger = EpochLogger(exp_name="cartpole")  # no output_dir
        logger.save_config(dict(seed=seed, epochs=epochs))
        for epoch in range(epochs):
            for ret in range(4):
                logger.store(EpRet=10 * seed + epoch + ret)
            logger.log_tabular("Epoch", epoch)
            logger.log_tabular("EpRet", with_min_and_max=True)
            logger.log_tabular("TotalEnvInteracts", 100 * (epoch + 1))
            logger.dump_tabular()
        logger.close()
        return logger.output_dir

    dirs = [cartpole(seed=s) for s in (0, 1)]
    assert dirs == [str(data_dir / "local/experiment/cartpole"),
                    str(data_dir / "local/experiment/cartpole_1")]
    for d in dirs:
        assert files_in(d) == ["config.json", "metadata.json", "progress.txt", "variant.json"]

    runs = plot.get_datasets(str(data_dir / "local" / "experiment"))
    assert len(runs) == 2
    assert [list(r["Condition1"].unique()) for r in runs] == [["cartpole"], ["cartpole"]]
    assert [r["Unit"].iloc[0] for r in runs] == [0, 1]
    np.testing.assert_allclose(runs[1]["Performance"], [11.5, 12.5, 13.5])
    np.testing.assert_allclose(runs[1]["MaxEpRet"], [13, 14, 15])


EXPECTED_SNAPSHOTS = {  # five save_state calls, itr 0..4, snapshot_gap=2
    "all": ["vars0.pkl", "vars1.pkl", "vars2.pkl", "vars3.pkl", "vars4.pkl"],
    "last": ["vars.pkl"],
    "gap": ["vars0.pkl", "vars2.pkl", "vars4.pkl"],
    "gap_and_last": ["vars.pkl", "vars0.pkl", "vars2.pkl", "vars4.pkl"],
    "gap_overwrite": ["vars.pkl"],
    "none": [],
}


@pytest.mark.parametrize("mode", sorted(EXPECTED_SNAPSHOTS))
def test_save_state_follows_the_experiment_snapshot_mode(data_dir, mode):
    @wrap_experiment(snapshot_mode=mode, snapshot_gap=2, archive_launch_repo=False)
    def exp(ctxt):
        logger = EpochLogger()
        for itr in range(5):
            logger.save_state({"itr": itr}, itr)
        logger.close()
        return ctxt.snapshot_dir

    log_dir = exp()
    saved = sorted(f for f in files_in(log_dir) if f.startswith("vars"))
    assert saved == sorted(EXPECTED_SNAPSHOTS[mode])
    if "vars.pkl" in saved:  # the unnumbered snapshot holds the latest one due
        latest = {"last": 4, "gap_and_last": 4, "gap_overwrite": 4}[mode]
        assert load_state(log_dir, itr=None) == {"itr": latest}
    for f in saved:
        if f != "vars.pkl":
            itr = int(f[4:-4])
            assert load_state(log_dir, itr=itr) == {"itr": itr}


class TinyPolicy:
    """Stands in for an actor-critic: test_policy only needs act(obs)."""

    def __init__(self, torch, weight):
        self.linear = torch.nn.Linear(4, 2)
        with torch.no_grad():
            self.linear.weight.fill_(weight)
            self.linear.bias.zero_()

    def act(self, obs):
        return int(self.linear(obs).argmax())


def test_test_policy_loads_what_a_wrapped_experiment_saved(data_dir):
    torch = pytest.importorskip("torch")
    import gymnasium as gym

    from spinup.utils.test_policy import load_policy_and_env, load_pytorch_policy, run_policy

    @wrap_experiment(snapshot_mode="gap", snapshot_gap=2, archive_launch_repo=False)
    def train(ctxt, env_name):
        logger = EpochLogger()
        env = gym.make(env_name)
        policy = TinyPolicy(torch, weight=0.0)
        logger.setup_pytorch_saver(policy)
        for epoch in range(4):
            with torch.no_grad():
                policy.linear.weight.fill_(float(epoch))
            logger.save_state({"env": env}, epoch)
        return ctxt.snapshot_dir

    log_dir = train(env_name="CartPole-v1")
    assert files_in(osp.join(log_dir, "pyt_save")) == ["model0.pt", "model2.pt"]
    assert files_in(log_dir) == ["metadata.json", "progress.txt", "pyt_save", "variant.json",
                                 "vars0.pkl", "vars2.pkl"]

    get_action = load_pytorch_policy(log_dir, 2)
    assert get_action(np.ones(4, dtype=np.float32)) in (0, 1)
    env, get_action = load_policy_and_env(log_dir)  # 'last': the highest numbered save
    assert env.spec.id == "CartPole-v1"
    run_policy(env, get_action, max_ep_len=5, num_episodes=1, render=False)


def test_reference_ppo_runs_as_a_wrapped_experiment(data_dir):
    pytest.importorskip("torch")
    import gymnasium as gym

    from spinup import ppo_pytorch
    from spinup.utils.test_policy import load_policy_and_env, run_policy

    @wrap_experiment(prefix="ppo-bench", name_parameters="passed", snapshot_mode="all",
                     archive_launch_repo=False)
    def ppo_cartpole(ctxt, seed, hid=(16,)):
        ppo_pytorch(lambda: gym.make("CartPole-v1"), ac_kwargs=dict(hidden_sizes=hid),
                    seed=seed, steps_per_epoch=100, epochs=2, train_pi_iters=2,
                    train_v_iters=2, save_freq=1, logger_kwargs=dict(exp_name="ppo_cartpole"))
        return ctxt.snapshot_dir

    log_dir = ppo_cartpole(seed=3)
    assert log_dir == str(data_dir / "local" / "ppo-bench" / "ppo_cartpole_seed=3")
    assert files_in(osp.join(log_dir, "pyt_save")) == ["model0.pt", "model1.pt"]
    assert {"vars0.pkl", "vars1.pkl", "config.json"} <= set(files_in(log_dir))
    assert read_json(osp.join(log_dir, "config.json"))["seed"] == 3

    [run] = plot.get_datasets(str(data_dir / "local" / "ppo-bench"))
    assert list(run["Epoch"]) == [0, 1] and list(run["Condition1"].unique()) == ["ppo_cartpole"]
    env, get_action = load_policy_and_env(log_dir)
    run_policy(env, get_action, max_ep_len=5, num_episodes=1, render=False)


# -- LogEncoder and dump_json --------------------------------------------------------

class Color(enum.Enum):
    RED = 1


class Settings:
    def __init__(self):
        self.lr = np.float32(0.25)
        self.myself = self


def test_log_encoder_writes_anything_readably(tmp_path):
    data = {
        "np_float": np.float32(0.5), "np_int": np.int64(7), "np_bool": np.bool_(True),
        "array": np.arange(4).reshape(2, 2), "cls": collections_ordered_dict(),
        "function": np.tanh, "lambda": lambda x: x, "enum": Color.RED,
        "set": {3, 1, 2}, "tuple": (1, "a"), (1, 2): "tuple key", "object": Settings(),
        "opaque": object,
    }
    text = json.dumps(data, cls=LogEncoder)
    back = json.loads(text)
    assert back["np_float"] == 0.5 and back["np_int"] == 7 and back["np_bool"] is True
    assert back["array"] == [[0, 1], [2, 3]]
    assert back["cls"] == {"$class": "collections.OrderedDict"}
    assert back["function"] == {"$function": "numpy.tanh"}
    assert back["lambda"] == {"$function": __name__ + ".test_log_encoder_writes_anything_"
                                           "readably.<locals>.<lambda>"}
    assert back["enum"] == {"$enum": __name__ + ".Color.RED"}
    assert back["set"] == [1, 2, 3] and back["tuple"] == [1, "a"]
    assert back["(1, 2)"] == "tuple key"
    assert back["object"] == {"$type": __name__ + ".Settings", "lr": 0.25,
                              "myself": "<circular reference>"}
    assert json.loads(json.dumps(object(), cls=LogEncoder)).startswith("<object object at")

    target = tmp_path / "deep" / "variant.json"
    dump_json(str(target), data)
    assert read_json(target) == back
    assert os.listdir(target.parent) == ["variant.json"]  # no temporary left over


def collections_ordered_dict():
    import collections
    return collections.OrderedDict


# -- metadata and the launcher's repository ------------------------------------------

LAUNCHER = """\
from spinup.utils.experiment import wrap_experiment

@wrap_experiment(prefix="git")
def launched(ctxt, seed):
    print("LOG_DIR=" + ctxt.snapshot_dir)

launched(seed=1)
"""


def git(repo, *args):
    return subprocess.run(["git", "-c", "user.name=Spinup Tests", "-c", "user.email=t@example.com",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def make_repo(repo):
    (repo / "scripts").mkdir(parents=True)
    (repo / "lib").mkdir()
    (repo / "scripts" / "launch.py").write_text(LAUNCHER)
    (repo / "lib" / "util.py").write_text("VERSION = 1\n")
    (repo / ".gitignore").write_text("ignored.txt\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")


def run_launcher(script, data):
    env = dict(os.environ, SPINUP_DATA_DIR=str(data))
    proc = subprocess.run([sys.executable, str(script)], cwd=str(script.parent), env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [line[len("LOG_DIR="):] for line in proc.stdout.splitlines()
            if line.startswith("LOG_DIR=")][0]


def archived(log_dir):
    with tarfile.open(osp.join(log_dir, "launch_archive.tar.xz")) as tar:
        names = sorted(m.name for m in tar.getmembers() if m.isfile())
        util = tar.extractfile("lib/util.py").read().decode()
    return names, util


def test_metadata_and_archive_of_a_clean_then_dirty_repository(tmp_path):
    repo = tmp_path / "repo"
    make_repo(repo)
    head = git(repo, "rev-parse", "HEAD")
    launcher = repo / "scripts" / "launch.py"

    # Clean tree, results outside the repository.
    log_dir = run_launcher(launcher, tmp_path / "data")
    assert log_dir == str(tmp_path / "data" / "local" / "git" / "launched")
    assert read_json(osp.join(log_dir, "metadata.json")) == {
        "githash": head, "launcher": "scripts/launch.py"}
    assert read_json(osp.join(log_dir, "variant.json")) == {"seed": 1}
    assert archived(log_dir) == ([".gitignore", "lib/util.py", "scripts/launch.py"],
                                 "VERSION = 1\n")

    # Dirty tree: a modified file, an untracked one, an ignored one, and
    # results of an earlier run inside the repository (not ignored).
    (repo / "lib" / "util.py").write_text("VERSION = 2\n")
    (repo / "notes.txt").write_text("try a smaller lr\n")
    (repo / "ignored.txt").write_text("secret\n")
    old_run = repo / "data" / "local" / "git" / "launched"
    old_run.mkdir(parents=True)
    (old_run / "progress.txt").write_text("Epoch\n0\n")
    log_dir = run_launcher(launcher, repo / "data")
    assert log_dir == str(old_run) + "_1"
    assert read_json(osp.join(log_dir, "metadata.json")) == {
        "githash": head + "-dirty", "launcher": "scripts/launch.py"}
    assert archived(log_dir) == ([".gitignore", "lib/util.py", "notes.txt", "scripts/launch.py"],
                                 "VERSION = 2\n")


def test_a_launcher_outside_git_runs_without_archive(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "launch.py").write_text(LAUNCHER)
    log_dir = run_launcher(folder / "launch.py", tmp_path / "data")
    metadata = read_json(osp.join(log_dir, "metadata.json"))
    assert metadata["launcher"] == osp.realpath(str(folder / "launch.py"))
    assert "not in a git repository" in metadata["note"] and "githash" not in metadata
    assert files_in(log_dir) == ["metadata.json", "variant.json"]


def test_archive_leaves_out_big_files_with_a_warning(tmp_path, data_dir):
    repo = tmp_path / "repo"
    make_repo(repo)
    with open(repo / "weights.bin", "wb") as f:
        f.truncate(8 * 1024 * 1024)
    git(repo, "rm", "-q", "--cached", "lib/util.py")  # untracked now, still archived
    log_dir = tmp_path / "log"
    with pytest.warns(UserWarning, match=r"weights\.bin.*archive_launch_repo=False"):
        make_launcher_archive(git_root_path=str(repo), log_dir=str(log_dir))
    assert archived(str(log_dir))[0] == [".gitignore", "lib/util.py", "scripts/launch.py"]


def test_get_metadata_finds_the_repository_of_the_main_script(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    make_repo(repo)
    main = sys.modules["__main__"]
    monkeypatch.setattr(main, "__file__", str(repo / "scripts" / "launch.py"), raising=False)
    assert get_metadata() == (osp.realpath(str(repo)), {
        "githash": git(repo, "rev-parse", "HEAD"), "launcher": "scripts/launch.py"})

    # A script git ignores (say, a tool inside an ignored virtualenv) is not
    # the repository's code: nothing to hash or archive.
    (repo / "ignored.txt").write_text("print('hi')\n")
    monkeypatch.setattr(main, "__file__", str(repo / "ignored.txt"))
    root, metadata = get_metadata()
    assert root is None and "githash" not in metadata
    assert "git ignores it" in metadata["note"]


# -- under MPI ------------------------------------------------------------------------

def test_all_mpi_ranks_share_one_log_dir(python_runner, tmp_path):
    python_runner("""
        import sys
        from spinup.utils.experiment import wrap_experiment
        from spinup.utils.logx import EpochLogger
        from spinup.utils.mpi_tools import proc_id

        @wrap_experiment(archive_launch_repo=False)
        def mpi_exp(ctxt, seed):
            logger = EpochLogger()
            logger.store(Rank=proc_id())
            logger.log_tabular("Rank")
            logger.dump_tabular()
            # One file per rank: their stdout lines may interleave.
            with open("%s/rank%d.txt" % (sys.argv[1], proc_id()), "w") as f:
                f.write(ctxt.snapshot_dir)

        mpi_exp(seed=0)
        """, str(tmp_path), n=2, env={"SPINUP_DATA_DIR": str(tmp_path / "data")})
    expected = str(tmp_path / "data" / "local" / "experiment" / "mpi_exp")
    for rank in (0, 1):
        assert (tmp_path / ("rank%d.txt" % rank)).read_text() == expected
    assert files_in(str(tmp_path / "data" / "local" / "experiment")) == ["mpi_exp"]
    with open(osp.join(expected, "progress.txt")) as f:
        assert f.read().splitlines() == ["AverageRank\tStdRank", "0.5\t0.5"]


# -- run_experiment and to_local_command -----------------------------------------------

def test_to_local_command_quotes_values_and_adds_env_and_pre_commands():
    command = to_local_command(
        dict(exp_name="my exp", log_dir="/tmp/x", hidden=[64, 32], opt={"lr": 0.1}, skip=None,
             env={"CUDA_VISIBLE_DEVICES": "", "A": "1"}, pre_commands=["cd /tmp", "ls"]),
        python_command="python3 -u", script="my.entry")
    assert command == ("cd /tmp && ls && CUDA_VISIBLE_DEVICES='' A=1 python3 -u -m my.entry "
                       "--exp_name 'my exp' --log_dir /tmp/x --hidden 64 32 --opt_lr 0.1")
    with pytest.raises(ValueError, match="not a valid environment variable name"):
        to_local_command(dict(env={"BAD NAME": "1"}))


def _thunk_path(command):
    return command.split()[-1]


def test_dry_run_prints_a_command_that_runs_the_call_later(data_dir, capsys, request):
    def task(ctxt, variant):
        from spinup.utils.logx import EpochLogger
        logger = EpochLogger()
        logger.log_tabular("Value", variant["value"] * 10)
        logger.dump_tabular()
        with open(os.path.join(ctxt.snapshot_dir, "child.json"), "w") as f:
            json.dump(dict(pid=os.getpid(), cuda=os.environ.get("CUDA_VISIBLE_DEVICES"),
                           flag=os.environ.get("MY_FLAG"), mode=ctxt.snapshot_mode,
                           rand=float(np.random.rand())), f)

    log_dirs = run_experiment(task, variant=dict(value=3), exp_name="later", dry=True,
                              python_command=sys.executable, force_cpu=True,
                              env={"MY_FLAG": "on"}, pre_commands="echo pre-ran", seed=5,
                              snapshot_mode="all")
    command = capsys.readouterr().out.strip().splitlines()[-1]
    payload = _thunk_path(command)
    request.addfinalizer(lambda: os.path.exists(payload) and os.remove(payload))
    assert log_dirs == [str(data_dir / "local" / "experiment" / "later")]
    assert not osp.exists(log_dirs[0])  # printed, not run
    assert command.startswith("echo pre-ran && MY_FLAG=on CUDA_VISIBLE_DEVICES='' ")
    assert "-m spinup.utils.run_entrypoint" in command
    assert stat.S_IMODE(os.stat(payload).st_mode) == 0o600

    proc = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("pre-ran")
    child = read_json(osp.join(log_dirs[0], "child.json"))
    np.random.seed(5)
    assert child == dict(pid=child["pid"], cuda="", flag="on", mode="all",
                         rand=float(np.random.rand()))
    assert child["pid"] != os.getpid()
    assert read_json(osp.join(log_dirs[0], "variant.json")) == {"value": 3, "exp_name": "later"}
    assert read_json(osp.join(log_dirs[0], "metadata.json")) == get_metadata()[1]
    with open(osp.join(log_dirs[0], "progress.txt")) as f:
        assert f.read() == "Value\n30\n"


def test_batch_runs_every_task_and_reports_failures(data_dir, tmp_path, monkeypatch):
    def experiment(ctxt, seed, lr=0.5):
        with open(os.path.join(ctxt.snapshot_dir, "seen.json"), "w") as f:
            json.dump(dict(seed=seed, lr=lr, mode=ctxt.snapshot_mode, gap=ctxt.snapshot_gap), f)

    def broken(ctxt):
        raise RuntimeError("this task fails")

    # The pickled calls go to a temporary folder of our own, to check that
    # none is left behind.
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    wrapped = wrap_experiment(experiment, snapshot_mode="gap", snapshot_gap=4)
    with pytest.raises(subprocess.CalledProcessError, match="broken"):
        run_experiment(batch_tasks=[
            dict(method_call=broken, exp_name="broken"),
            dict(method_call=wrapped, variant=dict(seed=2), log_dir=str(tmp_path / "wrapped")),
        ])
    assert os.listdir(tmp_path / "tmp") == []
    # The failing task did not stop the next one.
    assert read_json(tmp_path / "wrapped" / "seen.json") == dict(seed=2, lr=0.5, mode="gap", gap=4)
    assert read_json(tmp_path / "wrapped" / "variant.json") == {"seed": 2}
    broken_dir = data_dir / "local" / "experiment" / "broken"
    # Each run has the grid's status record.
    assert read_json(broken_dir / "status.json")["state"] == "failed"
    assert read_json(tmp_path / "wrapped" / "status.json")["state"] == "finished"

    with pytest.raises(TypeError, match="unexpected keyword argument.*snapshot_gap"):
        run_experiment(broken, snapshot_every=3, dry=True)
    with pytest.raises(ValueError, match="method_call or a list of batch_tasks"):
        run_experiment()


LONG_TASK_LAUNCHER = """
import os, sys, time
from spinup.utils.experiment import run_experiment

def long_task(ctxt, variant):
    with open(os.path.join(ctxt.snapshot_dir, "child.pid"), "w") as f:
        f.write(str(os.getpid()))
    time.sleep(600)

run_experiment(long_task, log_dir=sys.argv[1])
"""


def test_run_experiment_child_dies_with_its_launcher(tmp_path):
    psutil = pytest.importorskip("psutil")
    script = tmp_path / "launch.py"
    script.write_text(LONG_TASK_LAUNCHER)
    log_dir = tmp_path / "run"
    launcher = subprocess.Popen([sys.executable, str(script), str(log_dir)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pid_file = log_dir / "child.pid"
    try:
        for _ in range(600):
            if pid_file.exists() and pid_file.read_text() and (log_dir / "status.json").exists():
                break
            assert launcher.poll() is None, "the launcher ended early"
            time.sleep(0.1)
        child = psutil.Process(int(pid_file.read_text()))
        # The experiment runs in a child of the launcher, not of a shell.
        assert child.ppid() == launcher.pid
        assert read_json(log_dir / "status.json")["state"] == "running"
        launcher.kill()  # SIGKILL: no chance to clean up
        launcher.wait()
        gone, alive = psutil.wait_procs([child], timeout=60)
        assert gone and not alive
    finally:
        if launcher.poll() is None:
            launcher.kill()


def test_a_pickled_call_others_could_change_is_refused(data_dir, capsys, request):
    def task(ctxt, variant):
        os.makedirs(ctxt.snapshot_dir)

    [log_dir] = run_experiment(task, exp_name="tampered", dry=True,
                               python_command=sys.executable)
    path = _thunk_path(capsys.readouterr().out.strip().splitlines()[-1])
    request.addfinalizer(lambda: os.path.exists(path) and os.remove(path))
    os.chmod(path, 0o666)  # anyone could have swapped the pickled code
    proc = subprocess.run([sys.executable, "-m", "spinup.utils.run_entrypoint", path],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "Refusing to load %s" % path in proc.stderr
    assert not osp.exists(log_dir)


def test_a_task_that_cannot_be_pickled_stops_the_batch_before_it_starts(data_dir, tmp_path):
    import threading

    def first(ctxt, variant):
        os.makedirs(ctxt.snapshot_dir, exist_ok=True)

    lock = threading.Lock()  # cannot be pickled

    def second(ctxt, variant):
        with lock:
            pass

    with pytest.raises(ValueError, match=r"cannot pickle task 1 .*second"):
        run_experiment(batch_tasks=[dict(method_call=first, log_dir=str(tmp_path / "first")),
                                    dict(method_call=second, log_dir=str(tmp_path / "second"))])
    assert not (tmp_path / "first").exists()
