"""VPG, PyTorch and TF1: short real runs through the Python API.

The same checks as for PPO (original columns, saved env and model, learning
on tiny Discrete and Box problems), plus VPG's own: one policy-gradient step
per epoch, whose effect shows in DeltaLossPi and KL (measured after it).
"""
import json

import gymnasium as gym
import torch
from algo_testing import VPG_COLUMNS, TargetAction, TwoArmedBandit, read_progress

from spinup.algos.pytorch.vpg import core
from spinup.algos.pytorch.vpg.vpg import vpg
from spinup.utils.logx import load_state


def test_cartpole_run_writes_the_original_outputs(tmp_path):
    vpg(lambda: gym.make("CartPole-v1"), ac_kwargs=dict(hidden_sizes=(16, 16)),
        steps_per_epoch=500, epochs=2, train_v_iters=10,
        logger_kwargs=dict(output_dir=str(tmp_path)))
    headers, rows = read_progress(tmp_path)
    assert headers == VPG_COLUMNS
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [500, 1000]
    assert json.loads((tmp_path / "config.json").read_text())["env_name"] == "CartPole-v1"
    assert load_state(str(tmp_path))["env"].spec.id == "CartPole-v1"
    model = torch.load(tmp_path / "pyt_save" / "model.pt", weights_only=False)
    assert isinstance(model, core.MLPActorCritic)
    assert [m.out_features for m in model.v.v_net if hasattr(m, "out_features")] == [16, 16, 1]


def test_policy_improves_with_discrete_and_box_actions(tmp_path):
    for name, env_fn in (("bandit", TwoArmedBandit), ("box", TargetAction)):
        vpg(env_fn, ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=300, epochs=5,
            pi_lr=3e-2, train_v_iters=5, logger_kwargs=dict(output_dir=str(tmp_path / name)))
    _, bandit = read_progress(tmp_path / "bandit")
    returns = [float(r["AverageEpRet"]) for r in bandit]
    assert returns[0] < 0.65 and returns[-1] > 0.75, returns
    # The step lowered the loss on the epoch's data and moved the policy.
    assert all(float(r["DeltaLossPi"]) < 0 for r in bandit)
    assert all(float(r["KL"]) != 0 for r in bandit)

    _, box = read_progress(tmp_path / "box")
    returns = [float(r["AverageEpRet"]) for r in box]
    assert returns[-1] > returns[0] + 0.1, returns


def test_tf1_vpg(tmp_path, python_runner, algo_env):
    proc = python_runner("""
        import json, sys
        import gymnasium as gym
        from algo_testing import TargetAction, TwoArmedBandit, read_progress
        from spinup.algos.tf1.vpg.vpg import vpg
        from spinup.utils.test_policy import load_policy_and_env

        base, report = sys.argv[1], {}
        vpg(lambda: gym.make("CartPole-v1"), ac_kwargs=dict(hidden_sizes=(16,)),
            steps_per_epoch=500, epochs=2, train_v_iters=10,
            logger_kwargs=dict(output_dir=base + "/cartpole"))
        report["headers"], rows = read_progress(base + "/cartpole")
        report["total"] = [int(r["TotalEnvInteracts"]) for r in rows]
        env, get_action = load_policy_and_env(base + "/cartpole", deterministic=True)
        report["action_ok"] = bool(env.action_space.contains(int(get_action(env.reset()[0]))))
        for name, env_fn in (("bandit", TwoArmedBandit), ("box", TargetAction)):
            vpg(env_fn, ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=300, epochs=5,
                pi_lr=3e-2, train_v_iters=5, logger_kwargs=dict(output_dir=base + "/" + name))
            report[name] = [float(r["AverageEpRet"]) for r in read_progress(base + "/" + name)[1]]
        print("REPORT " + json.dumps(report))
    """, tmp_path, env=algo_env, timeout=150)
    report = json.loads(proc.stdout.split("REPORT ", 1)[1])
    assert report["headers"] == VPG_COLUMNS
    assert report["total"] == [500, 1000]
    assert report["action_ok"]
    assert report["bandit"][0] < 0.65 and report["bandit"][-1] > 0.75, report["bandit"]
    assert report["box"][-1] > report["box"][0] + 0.1, report["box"]
