"""The PyTorch actor-critics of DDPG, TD3 and SAC keep Spinning Up's module
paths, class names and layer names: a model saved whole with ``torch.save``
(as ``Logger.setup_pytorch_saver`` does, and as the original did) loads in
another process and acts the same, and state dicts use the original keys.
"""
import gymnasium as gym
import numpy as np
import pytest
import torch

from spinup.algos.pytorch.ddpg import core as ddpg_core
from spinup.algos.pytorch.sac import core as sac_core
from spinup.algos.pytorch.td3 import core as td3_core

CORES = {"ddpg": ddpg_core, "td3": td3_core, "sac": sac_core}
OBS_SPACE = gym.spaces.Box(-1.0, 1.0, shape=(3,), dtype=np.float32)
ACT_SPACE = gym.spaces.Box(-2.0, 2.0, shape=(2,), dtype=np.float32)


def layer_keys(prefix, n_linear):
    """State-dict keys of an nn.Sequential of Linear + activation pairs."""
    return [prefix + "%d.%s" % (2 * i, p) for i in range(n_linear) for p in ("weight", "bias")]


def test_state_dict_keys_are_the_originals():
    q = layer_keys("q.", 3)
    ddpg = ddpg_core.MLPActorCritic(OBS_SPACE, ACT_SPACE)
    assert list(ddpg.state_dict()) == layer_keys("pi.pi.", 3) + ["q." + k for k in q]
    td3 = td3_core.MLPActorCritic(OBS_SPACE, ACT_SPACE)
    assert list(td3.state_dict()) == (layer_keys("pi.pi.", 3) + ["q1." + k for k in q]
                                      + ["q2." + k for k in q])
    sac = sac_core.MLPActorCritic(OBS_SPACE, ACT_SPACE, hidden_sizes=(64, 32))
    assert list(sac.state_dict()) == (
        layer_keys("pi.net.", 2) + ["pi.mu_layer.weight", "pi.mu_layer.bias",
                                    "pi.log_std_layer.weight", "pi.log_std_layer.bias"]
        + ["q1." + k for k in q] + ["q2." + k for k in q])
    assert sac.pi.mu_layer.in_features == 32 and sac.pi.act_limit == 2.0


LOAD_AND_ACT = """
import sys
import numpy as np
import torch
obs = torch.as_tensor(np.load(sys.argv[2]))
for name in sys.argv[3:]:
    model = torch.load("%s/%s.pt" % (sys.argv[1], name), weights_only=False)
    kwargs = dict(deterministic=True) if name == "sac" else {}
    np.save("%s/%s_loaded.npy" % (sys.argv[1], name), model.act(obs, **kwargs))
    print(name, type(model).__module__, type(model.pi).__name__)
"""


def test_whole_module_saves_load_in_a_fresh_process(tmp_path, python_runner):
    obs = np.random.default_rng(0).uniform(-1, 1, size=(5, 3)).astype(np.float32)
    np.save(tmp_path / "obs.npy", obs)
    expected = {}
    for name, core in CORES.items():
        torch.manual_seed(0)
        model = core.MLPActorCritic(OBS_SPACE, ACT_SPACE, hidden_sizes=(8, 8))
        torch.save(model, tmp_path / ("%s.pt" % name))
        kwargs = dict(deterministic=True) if name == "sac" else {}
        expected[name] = model.act(torch.as_tensor(obs), **kwargs)
        assert expected[name].shape == (5, 2) and (np.abs(expected[name]) <= 2).all()

    proc = python_runner(LOAD_AND_ACT, tmp_path, tmp_path / "obs.npy", *CORES)
    assert proc.stdout.split("\n")[:3] == [
        "ddpg spinup.algos.pytorch.ddpg.core MLPActor",
        "td3 spinup.algos.pytorch.td3.core MLPActor",
        "sac spinup.algos.pytorch.sac.core SquashedGaussianMLPActor"]
    for name in CORES:
        np.testing.assert_array_equal(np.load(tmp_path / ("%s_loaded.npy" % name)),
                                      expected[name])


def test_discrete_actions_are_a_clear_error():
    with pytest.raises(TypeError, match="Box"):
        sac_core.MLPActorCritic(OBS_SPACE, gym.spaces.Discrete(2))
