"""test_policy: load a trained policy and its env from a run folder and run it.

The runs here are real (tiny) PyTorch trainings written by the real logger;
see tests/tiny_agent.py.
"""
import json
import os
import re
import subprocess
import sys
import warnings

import gymnasium as gym
import pytest

from spinup.utils.test_policy import (
    PolicyLoadError,
    load_policy_and_env,
    load_pytorch_policy,
    run_policy,
)

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def spinup_run(*args, env=None):
    """Run `python -m spinup.run ...` with tests/ importable (for tiny_agent)."""
    full_env = dict(os.environ, PYTHONPATH=TESTS_DIR)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "spinup.run", *map(str, args)],
                          capture_output=True, text=True, timeout=120, env=full_env)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three tiny CartPole runs: one plain, one with numbered snapshots, one
    whose config.json records env_name."""
    import tiny_agent

    base = tmp_path_factory.mktemp("runs")
    paths = dict(plain=base / "plain", numbered=base / "numbered", named=base / "named")
    tiny_agent.train(lambda: gym.make("CartPole-v1"), seed=0, epochs=1, steps_per_epoch=100,
                     logger_kwargs=dict(output_dir=str(paths["plain"])))
    tiny_agent.train(lambda: gym.make("CartPole-v1"), seed=1, epochs=3, steps_per_epoch=50,
                     save_itr=True, logger_kwargs=dict(output_dir=str(paths["numbered"])))
    tiny_agent.train(env_name="CartPole-v1", seed=2, epochs=1, steps_per_epoch=50,
                     logger_kwargs=dict(output_dir=str(paths["named"])))
    return paths


def test_command_line_runs_the_saved_policy_headless(runs):
    proc = spinup_run("test_policy", runs["plain"], "-nr", "-n", "3")
    assert proc.returncode == 0, proc.stderr
    episodes = re.findall(r"^Episode (\d+) \t EpRet ([\d.]+) \t EpLen (\d+)$", proc.stdout, re.M)
    assert [e[0] for e in episodes] == ["0", "1", "2"]
    # CartPole pays 1 per step, so each return equals its length.
    assert all(float(ret) == float(length) for _, ret, length in episodes)
    assert "AverageEpRet" in proc.stdout and "MaxEpRet" in proc.stdout
    model_path = os.path.join(str(runs["plain"]), "pyt_save", "model.pt")
    assert "Loading from %s" % model_path in proc.stdout


def test_last_itr_is_the_highest_numbered_save(runs, capsys):
    env, get_action = load_policy_and_env(str(runs["numbered"]))
    assert "model2.pt" in capsys.readouterr().out
    assert env.action_space.contains(get_action(env.reset(seed=0)[0]))

    load_policy_and_env(str(runs["numbered"]), itr=1)
    assert "model1.pt" in capsys.readouterr().out

    with pytest.raises(FileNotFoundError, match=r"model7\.pt"):
        load_policy_and_env(str(runs["numbered"]), itr=7)


def test_run_policy_cuts_episodes_at_max_ep_len(runs, capsys):
    env, get_action = load_policy_and_env(str(runs["plain"]))
    run_policy(env, get_action, max_ep_len=5, num_episodes=2, render=False)
    out = capsys.readouterr().out
    assert re.findall(r"EpLen (\d+)", out) == ["5", "5"]


def test_env_is_rebuilt_from_config_when_vars_pkl_is_broken(runs, tmp_path, capsys):
    import shutil
    run = tmp_path / "named"
    shutil.copytree(runs["named"], run)
    (run / "vars.pkl").write_bytes(b"not a pickle")
    assert json.loads((run / "config.json").read_text())["env_name"] == "CartPole-v1"

    env, get_action = load_policy_and_env(str(run))
    assert "making CartPole-v1 anew" in capsys.readouterr().out
    assert env.spec.id == "CartPole-v1"
    run_policy(env, get_action, num_episodes=1, render=False)
    assert "Episode 0" in capsys.readouterr().out


def test_environment_not_found(runs, tmp_path):
    import shutil
    run = tmp_path / "plain"
    shutil.copytree(runs["plain"], run)
    os.remove(run / "vars.pkl")  # and config.json has no env_name

    env, get_action = load_policy_and_env(str(run))
    assert env is None
    with pytest.raises(AssertionError, match="Environment not found!"):
        run_policy(env, get_action, render=False)

    proc = spinup_run("test_policy", run, "-nr")
    assert proc.returncode == 1
    assert "Environment not found!" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_and_corrupt_saves_are_named(runs, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="No saved policy in"):
        load_policy_and_env(str(empty))
    with pytest.raises(FileNotFoundError, match="No output directory"):
        load_policy_and_env(str(tmp_path / "nowhere"))

    import shutil
    run = tmp_path / "corrupt"
    shutil.copytree(runs["plain"], run)
    model = run / "pyt_save" / "model.pt"
    model.write_bytes(model.read_bytes()[:100])  # a save cut short
    with pytest.raises(PolicyLoadError, match=re.escape(str(model))):
        load_pytorch_policy(str(run), "")

    for path, code, text in [(empty, 2, "No saved policy in %s" % empty),
                             (run, 1, str(model))]:
        proc = spinup_run("test_policy", path, "-nr", "-n", "1")
        assert proc.returncode == code
        assert text in proc.stderr
        assert "Traceback" not in proc.stderr


def test_model_saved_on_a_gpu_loads_on_the_cpu(runs, tmp_path, python_runner):
    # Save the model with its storages tagged 'cuda:0', exactly as a save
    # from a GPU machine is tagged, then load it on this CPU-only machine.
    import shutil
    run = tmp_path / "gpu"
    shutil.copytree(runs["plain"], run)
    python_runner("""
        import sys, torch
        from spinup.utils.test_policy import load_pytorch_policy
        path = sys.argv[1] + '/pyt_save/model.pt'
        model = torch.load(path, weights_only=False)
        torch.serialization.register_package(0, lambda storage: 'cuda:0', lambda s, loc: None)
        torch.save(model, path)
        try:
            torch.load(path, weights_only=False)
        except RuntimeError as e:
            assert 'CUDA' in str(e), e
        else:
            raise SystemExit('the save is not tagged as a GPU save')
        get_action = load_pytorch_policy(sys.argv[1], '')
        assert get_action([0.0, 0.0, 0.0, 0.0]) in (0, 1)
        """, run, env=dict(PYTHONPATH=TESTS_DIR))


class OldGymCartPole:
    """A gym-style env from before gymnasium: reset returns only the
    observation and step returns (obs, reward, done, info)."""

    def __init__(self):
        self.env = gym.make("CartPole-v1")
        self.rendered = 0

    def reset(self):
        return self.env.reset()[0]

    def step(self, a):
        o, r, term, trunc, info = self.env.step(a)
        return o, r, term or trunc, info

    def render(self):
        self.rendered += 1


def test_old_gym_style_envs_work(runs, capsys, monkeypatch):
    _, get_action = load_policy_and_env(str(runs["plain"]))
    env = OldGymCartPole()
    run_policy(env, get_action, num_episodes=2, render=False)
    out = capsys.readouterr().out
    assert len(re.findall(r"^Episode \d", out, re.M)) == 2

    # With a display, an env without a gymnasium spec gets render() calls.
    monkeypatch.setenv("DISPLAY", ":0")
    run_policy(env, get_action, max_ep_len=3, num_episodes=1, render=True)
    assert env.rendered == 3


def test_a_window_that_cannot_open_means_no_rendering(runs, capsys, monkeypatch):
    # A display that isn't there: the 'human' copy of the env can't draw.
    monkeypatch.setenv("DISPLAY", ":12345")
    env, get_action = load_policy_and_env(str(runs["plain"]))
    with warnings.catch_warnings():
        # e.g. gymnasium's warning about render() without a render mode
        warnings.simplefilter("error", UserWarning)
        run_policy(env, get_action, num_episodes=1, render=True)
    out = capsys.readouterr().out
    assert "Could not open a window to render CartPole-v1" in out and "Episode 0" in out


def test_rendering_without_a_display_runs_headless(runs, capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    env, get_action = load_policy_and_env(str(runs["plain"]))
    run_policy(env, get_action, num_episodes=1, render=True)
    out = capsys.readouterr().out
    assert "No display found" in out and "Episode 0" in out


def test_deterministic_flag_reaches_a_pytorch_models_act(tmp_path):
    import gymnasium as gym
    import torch

    from spinup.algos.pytorch.ppo.core import MLPActorCritic
    from spinup.utils.logx import Logger

    env = gym.make("Pendulum-v1")
    torch.manual_seed(0)
    logger = Logger(output_dir=str(tmp_path))
    logger.setup_pytorch_saver(MLPActorCritic(env.observation_space, env.action_space))
    logger.save_state({"env": env})
    obs = env.reset(seed=0)[0]
    sampled = load_pytorch_policy(str(tmp_path), "", deterministic=False)
    mean = load_pytorch_policy(str(tmp_path), "", deterministic=True)
    assert len({float(sampled(obs)[0]) for _ in range(5)}) > 1
    assert len({float(mean(obs)[0]) for _ in range(5)}) == 1


def test_a_chosen_itr_without_its_vars_file_says_where_the_env_comes_from(runs, tmp_path,
                                                                         capsys):
    import shutil
    run = tmp_path / "numbered"
    shutil.copytree(runs["numbered"], run)
    os.remove(run / "vars1.pkl")
    env, get_action = load_policy_and_env(str(run), itr=1)
    out = capsys.readouterr().out
    assert "model1.pt" in out
    assert "There is no %s; the environment comes from vars2.pkl instead." \
        % (run / "vars1.pkl") in out
    assert env.action_space.contains(get_action(env.reset(seed=0)[0]))


def test_an_experiment_folder_names_the_runs_inside_it(runs, tmp_path):
    import shutil
    experiment = tmp_path / "exp"
    for seed in (0, 10):
        shutil.copytree(runs["plain"], experiment / ("exp_s%d" % seed))
    (experiment / "notes").mkdir()
    with pytest.raises(FileNotFoundError, match=re.escape(
            "is an experiment folder with 2 runs (exp_s0, exp_s10)")):
        load_policy_and_env(str(experiment))  # from Python too, not only the command line
    proc = spinup_run("test_policy", experiment, "-nr", "-n", "1")
    assert proc.returncode == 2
    assert proc.stderr.count("experiment folder with 2 runs (exp_s0, exp_s10)") == 1
    assert "notes" not in proc.stderr and "Traceback" not in proc.stderr
