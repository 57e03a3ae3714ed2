"""PPO, PyTorch and TF1: short real runs through the Python API.

Each run checks what a user of the original gets: the diagnostics in
progress.txt (same columns, same order), config.json, the env in vars.pkl
and a model that test_policy can load and run. Tiny one-step environments
(algo_testing.py) show that the policy actually improves, for Discrete and
Box actions. TF1 runs in a fresh interpreter (it switches the process to
graph mode); the MPI runs use a real ``mpiexec -n 2``.
"""
import json
import math

import gymnasium as gym
import pytest
import torch
from algo_testing import PPO_COLUMNS, TargetAction, TwoArmedBandit, read_progress

from spinup.algos.pytorch.ppo import core
from spinup.algos.pytorch.ppo.ppo import ppo
from spinup.utils.logx import load_state
from spinup.utils.test_policy import load_policy_and_env


def test_cartpole_run_writes_the_original_outputs(tmp_path):
    out = tmp_path / "ppo_cartpole"
    ppo(lambda: gym.make("CartPole-v1"), ac_kwargs=dict(hidden_sizes=(16,)), seed=3,
        steps_per_epoch=600, epochs=2, train_pi_iters=10, train_v_iters=10,
        logger_kwargs=dict(output_dir=str(out), exp_name="ppo_cartpole"))

    headers, rows = read_progress(out)
    assert headers == PPO_COLUMNS
    assert [r["Epoch"] for r in rows] == ["0", "1"]
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [600, 1200]
    for r in rows:
        assert float(r["MinEpRet"]) <= float(r["AverageEpRet"]) <= float(r["MaxEpRet"])
        # CartPole pays 1 per step: returns are episode lengths.
        assert float(r["AverageEpRet"]) == pytest.approx(float(r["EpLen"]))
        assert 0 <= float(r["StopIter"]) <= 9
        assert 0 <= float(r["ClipFrac"]) <= 1
        assert 0 < float(r["Entropy"]) <= math.log(2) + 1e-6
    assert float(rows[1]["Time"]) > float(rows[0]["Time"]) > 0

    config = json.loads((out / "config.json").read_text())
    assert config["exp_name"] == "ppo_cartpole"
    assert config["env_name"] == "CartPole-v1"
    assert config["steps_per_epoch"] == 600 and config["clip_ratio"] == 0.2

    state = load_state(str(out))
    assert state["env"].spec.id == "CartPole-v1"
    assert state["epoch"] == 1

    model = torch.load(out / "pyt_save" / "model.pt", weights_only=False)
    assert isinstance(model, core.MLPActorCritic)
    assert model.pi.logits_net[0].out_features == 16

    env, get_action = load_policy_and_env(str(out))
    obs, _ = env.reset(seed=0)
    for _ in range(5):
        obs, _, terminated, truncated, _ = env.step(get_action(obs))
        assert not truncated
        if terminated:
            break


def test_policy_improves_with_discrete_actions(tmp_path):
    ppo(TwoArmedBandit, ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=300, epochs=5,
        pi_lr=1e-2, train_v_iters=5, logger_kwargs=dict(output_dir=str(tmp_path)))
    _, rows = read_progress(tmp_path)
    returns = [float(r["AverageEpRet"]) for r in rows]
    # A random policy gets about 0.5; the right arm pays 1.
    assert returns[0] < 0.65 and returns[-1] > 0.75, returns


def test_policy_improves_with_box_actions(tmp_path):
    # TargetAction asserts every action it gets lies within its bounds.
    ppo(TargetAction, ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=300, epochs=5,
        pi_lr=1e-2, train_v_iters=5, logger_kwargs=dict(output_dir=str(tmp_path)))
    _, rows = read_progress(tmp_path)
    returns = [float(r["AverageEpRet"]) for r in rows]
    assert returns[-1] > returns[0] + 0.15, returns
    # A 2-D diagonal Gaussian's entropy: both dimensions count.
    std = math.exp(-0.5)
    entropy = 2 * (0.5 + 0.5 * math.log(2 * math.pi) + math.log(std))
    assert float(rows[0]["Entropy"]) == pytest.approx(entropy, abs=1e-4)
    model = torch.load(tmp_path / "pyt_save" / "model.pt", weights_only=False)
    with torch.no_grad():
        mean_action = model.act(torch.ones(1), deterministic=True)
    assert mean_action.shape == (2,)


def test_two_mpi_ranks_split_the_steps_and_share_one_model(tmp_path, python_runner, algo_env):
    out = tmp_path / "mpi"
    python_runner("""
        import sys
        import numpy as np
        import gymnasium as gym
        from spinup.algos.pytorch.ppo.ppo import ppo
        from spinup.algos.pytorch.ppo import core
        from spinup.utils.mpi_tools import proc_id

        built, steps = [], [0]
        def make_ac(*args, **kwargs):
            built.append(core.MLPActorCritic(*args, **kwargs))
            return built[-1]
        class Counting(gym.Wrapper):
            def step(self, action):
                steps[0] += 1
                return self.env.step(action)
        ppo(lambda: Counting(gym.make("CartPole-v1")), actor_critic=make_ac,
            ac_kwargs=dict(hidden_sizes=(16,)), steps_per_epoch=800, epochs=2,
            train_pi_iters=10, train_v_iters=10,
            logger_kwargs=dict(output_dir=sys.argv[1]))
        flat = np.concatenate([p.detach().numpy().ravel() for p in built[0].parameters()])
        # Each rank reports in its own file: the ranks' stdout interleaves.
        with open("%s/rank%d.txt" % (sys.argv[2], proc_id()), "w") as f:
            f.write("RANK %d STEPS %d PARAMS %r" % (proc_id(), steps[0], flat[:6].tolist()))
    """, out, tmp_path, n=2, env=algo_env, timeout=150)
    lines = [(tmp_path / ("rank%d.txt" % r)).read_text() for r in (0, 1)]
    assert [line.split()[:4] for line in lines] == [["RANK", "0", "STEPS", "800"],
                                              ["RANK", "1", "STEPS", "800"]]
    # Gradients were averaged and parameters synced: both ranks hold the
    # same model after training, though they saw different episodes.
    assert lines[0].split("PARAMS")[1] == lines[1].split("PARAMS")[1]
    headers, rows = read_progress(out)
    assert headers == PPO_COLUMNS
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [800, 1600]
    assert not (out / "progress.txt.1").exists()


TF1_SCRIPT = """
import json, sys
import gymnasium as gym
import numpy as np
from algo_testing import TargetAction, TwoArmedBandit, read_progress
from spinup.algos.tf1.ppo.ppo import ppo
from spinup.utils.logx import load_state
from spinup.utils.test_policy import load_policy_and_env

base = sys.argv[1]
report = {}
ppo(lambda: gym.make("CartPole-v1"), ac_kwargs=dict(hidden_sizes=(16,)),
    steps_per_epoch=600, epochs=2, train_pi_iters=10, train_v_iters=10,
    logger_kwargs=dict(output_dir=base + "/cartpole"))
report["headers"], rows = read_progress(base + "/cartpole")
report["total"] = [int(r["TotalEnvInteracts"]) for r in rows]
report["env"] = load_state(base + "/cartpole")["env"].spec.id
env, get_action = load_policy_and_env(base + "/cartpole")
report["action_ok"] = bool(env.action_space.contains(get_action(env.reset(seed=0)[0])))

for name, env_fn in (("bandit", TwoArmedBandit), ("box", TargetAction)):
    ppo(env_fn, ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=300, epochs=5,
        pi_lr=1e-2, train_v_iters=5, logger_kwargs=dict(output_dir=base + "/" + name))
    report[name] = [float(r["AverageEpRet"]) for r in read_progress(base + "/" + name)[1]]
env, get_mean = load_policy_and_env(base + "/box", deterministic=True)
report["box_mean_action"] = np.asarray(get_mean(np.ones(1, np.float32))).tolist()
print("REPORT " + json.dumps(report))
"""


def test_tf1_ppo_runs_learns_and_saves_a_loadable_graph(tmp_path, python_runner, algo_env):
    proc = python_runner(TF1_SCRIPT, tmp_path, env=algo_env, timeout=150)
    report = json.loads(proc.stdout.split("REPORT ", 1)[1])
    assert report["headers"] == PPO_COLUMNS
    assert report["total"] == [600, 1200]
    assert report["env"] == "CartPole-v1" and report["action_ok"]
    assert report["bandit"][0] < 0.65 and report["bandit"][-1] > 0.75, report["bandit"]
    assert report["box"][-1] > report["box"][0] + 0.15, report["box"]
    # 'mu' is saved: the deterministic action is the Gaussian's mean.
    assert len(report["box_mean_action"]) == 2
    saved = (tmp_path / "cartpole" / "tf1_save")
    assert (saved / "saved_model.pb").exists() and (saved / "model_info.pkl").exists()


def test_tf1_ppo_under_two_mpi_ranks(tmp_path, python_runner, algo_env):
    proc = python_runner("""
        import sys
        import gymnasium as gym
        from spinup.algos.tf1.ppo.ppo import ppo
        from spinup.utils.mpi_tools import proc_id

        steps = [0]
        class Counting(gym.Wrapper):
            def step(self, action):
                steps[0] += 1
                return self.env.step(action)
        ppo(lambda: Counting(gym.make("CartPole-v1")), ac_kwargs=dict(hidden_sizes=(16,)),
            steps_per_epoch=800, epochs=2, train_pi_iters=10, train_v_iters=10,
            logger_kwargs=dict(output_dir=sys.argv[1]))
        print("RANK %d STEPS %d" % (proc_id(), steps[0]))
    """, tmp_path, n=2, env=algo_env, timeout=150)
    lines = sorted(line for line in proc.stdout.splitlines() if line.startswith("RANK "))
    assert lines == ["RANK 0 STEPS 800", "RANK 1 STEPS 800"]
    headers, rows = read_progress(tmp_path)
    assert headers == PPO_COLUMNS
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [800, 1600]
    assert (tmp_path / "tf1_save" / "saved_model.pb").exists()
