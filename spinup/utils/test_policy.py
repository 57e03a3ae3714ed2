"""Load a trained policy from a run's output folder and watch it act.

From the command line::

    python -m spinup.run test_policy data/ppo_cartpole/ppo_cartpole_s0 -n 10

From Python::

    from spinup.utils.test_policy import load_policy_and_env, run_policy
    env, get_action = load_policy_and_env('data/ppo_cartpole/ppo_cartpole_s0')
    run_policy(env, get_action, num_episodes=10, render=False)

A folder with a ``tf1_save*`` entry is loaded with TensorFlow, otherwise the
PyTorch ``pyt_save/model*.pt`` is used. TensorFlow and PyTorch are imported
only for the backend that is actually loaded.
"""

__all__ = ["load_policy_and_env", "load_policy", "load_tf_policy", "load_pytorch_policy",
           "run_policy", "main", "PolicyLoadError", "EnvironmentNotFoundError"]

import inspect
import json
import os
import os.path as osp
import re
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from spinup._errors import SpinupError
from spinup.utils import _snapshots
from spinup.utils.logx import EpochLogger, new_default_output_dir

ENV_NOT_FOUND_MSG = (
    "Environment not found!\n\n It looks like the environment wasn't saved, "
    "and we can't run the agent in it. :( \n\n Check out the readthedocs "
    "page on Experiment Outputs for how to handle this situation.")

_TF_SAVE_RE = re.compile(r"^tf1_save(\d*)$")


class PolicyLoadError(ValueError, SpinupError):
    """A saved policy exists but can't be loaded (corrupt, or made by code
    that can't be imported here). The message names the file."""


class EnvironmentNotFoundError(AssertionError, ValueError, SpinupError):
    """No environment could be restored for the policy. An AssertionError,
    as in the original, so old ``except AssertionError`` code keeps working."""


def _itr_suffix(itr: int | str | None) -> str:
    # The loaders take the suffix of the file names: '' for the unnumbered
    # save, '7' for model7.pt / tf1_save7.
    if itr is None or itr == "":
        return ""
    if isinstance(itr, (int, np.integer)) and not isinstance(itr, bool) and itr >= 0:
        return "%d" % itr
    if isinstance(itr, str) and itr.isdigit():
        return itr
    raise ValueError("Bad value provided for itr (needs to be int or 'last'): %r" % (itr,))


def load_policy_and_env(fpath: str, itr: int | str = "last",
                        deterministic: bool = False) -> tuple[Any, Callable[[Any], Any]]:
    """Load a policy from a run's output folder, and the env it was trained in.

    Args:
        fpath: The run's output directory.
        itr: ``'last'`` for the most recent save (the highest numbered one, or
            the unnumbered one when that was written later), or an int for
            the save of that iteration (``tf1_save<itr>``,
            ``pyt_save/model<itr>.pt``).
        deterministic: For TF policies, use the ``'mu'`` output (the mean
            action) when the model has one.

    Returns:
        ``(env, get_action)``: the environment (None when it can't be
        restored) and a function mapping one observation to one action.
        The env comes from ``vars<itr>.pkl``; if that can't be loaded, it is
        made again from the ``env_name`` in ``config.json`` when there is one.

    Raises:
        FileNotFoundError: no such folder, or no save in it (or none for itr).
        PolicyLoadError: a save that can't be loaded; the message names it.
    """
    if not osp.isdir(fpath):
        raise FileNotFoundError("No output directory %s." % fpath)
    entries = os.listdir(fpath)
    backend = "tf1" if any(_TF_SAVE_RE.match(x) for x in entries) else "pytorch"
    pyt_dir = osp.join(fpath, "pyt_save")

    if itr == "last":
        itr = _snapshots.latest(fpath, "tf1") if backend == "tf1" \
            else _snapshots.latest(pyt_dir, "model")
        if itr is None:
            raise FileNotFoundError(
                "No saved policy in %s: expected a tf1_save folder or pyt_save/model.pt, "
                "as written by Logger.save_state after setup_tf_saver or "
                "setup_pytorch_saver.%s" % (fpath, _runs_inside(fpath)))
    else:
        itr = _itr_suffix(itr)

    if backend == "tf1":
        get_action = load_tf_policy(fpath, itr, deterministic)
    else:
        get_action = load_pytorch_policy(fpath, itr, deterministic)
    return _load_env(fpath, itr), get_action


def load_policy(fpath: str, itr: int | str = "last",
                deterministic: bool = False) -> tuple[Any, Callable[[Any], Any]]:
    """The older name of :func:`load_policy_and_env`, kept for old scripts."""
    return load_policy_and_env(fpath, itr, deterministic)


def _load_env(fpath: str, itr: str) -> Any:
    import joblib

    from spinup.utils.logx import load_state

    vars_path = osp.join(fpath, "vars" + itr + ".pkl")
    loaders = [lambda: joblib.load(vars_path)]
    if not osp.isfile(vars_path):
        loaders = []
        latest = _snapshots.latest(fpath, "vars")
        if latest is not None:
            # Say which state the env comes from, rather than quietly using
            # another snapshot's.
            print("There is no %s; the environment comes from vars%s.pkl instead."
                  % (vars_path, latest))
            loaders.append(lambda: load_state(fpath, "last"))
    else:
        loaders.append(lambda: load_state(fpath, "last"))
    for loader in loaders:
        try:
            state = loader()
            if isinstance(state, dict) and state.get("env") is not None:
                return state["env"]
        except Exception:
            # Unpicklable or missing env: fall back to config.json below,
            # exactly when the original would have given up.
            pass
    env_name = _env_name_from_config(fpath)
    if env_name is None:
        return None
    try:
        import gymnasium as gym
        print("Could not load the environment from vars%s.pkl; making %s anew "
              "(from config.json)." % (itr, env_name))
        return gym.make(env_name)
    except Exception as e:
        print("Could not make %s from config.json: %s" % (env_name, e))
        return None


def _env_name_from_config(fpath: str) -> str | None:
    """The first string under a key 'env_name' anywhere in config.json."""
    try:
        with open(osp.join(fpath, "config.json")) as f:
            config = json.load(f)
    except (OSError, ValueError):
        return None
    todo = [config]
    while todo:  # breadth first: a top-level env_name wins
        item = todo.pop(0)
        if isinstance(item, dict):
            if isinstance(item.get("env_name"), str):
                return item["env_name"]
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return None


def load_tf_policy(fpath: str, itr: int | str, deterministic: bool = False
                   ) -> Callable[[Any], Any]:
    """Load a TF1 policy saved by ``Logger.setup_tf_saver``.

    Args:
        fpath: The run's output directory.
        itr: Which save: ``''`` (or None) for ``tf1_save``, an int or digit
            string for ``tf1_save<itr>``.
        deterministic: Use the ``'mu'`` output instead of ``'pi'`` when the
            model has one.

    Returns:
        ``get_action(obs)``: runs the policy on one observation (fed to the
        ``'x'`` input) and returns one action.
    """
    fname = osp.join(fpath, "tf1_save" + _itr_suffix(itr))
    if not osp.isdir(fname):
        raise FileNotFoundError("No TensorFlow save %s." % fname)
    print("\n\nLoading from %s.\n\n" % fname)

    import tensorflow as tf

    from spinup.utils.logx import restore_tf_graph

    graph = tf.Graph()
    sess = tf.compat.v1.Session(graph=graph)
    try:
        with graph.as_default():
            model = restore_tf_graph(sess, fname)
    except FileNotFoundError:
        raise
    except Exception as e:
        raise PolicyLoadError("Could not load the TensorFlow save %s: %s" % (fname, e)) from e
    if "x" not in model or "pi" not in model:
        raise PolicyLoadError("The TensorFlow save %s has no 'x' input or no 'pi' output "
                              "(it has %s)." % (fname, ", ".join(sorted(model))))

    # 'mu' is the mean action of a stochastic policy, for evaluation.
    if deterministic and "mu" in model:
        action_op = model["mu"]
    else:
        action_op = model["pi"]

    def get_action(x):
        return sess.run(action_op, feed_dict={model["x"]: np.asarray(x)[None, ...]})[0]

    return get_action


def load_pytorch_policy(fpath: str, itr: int | str, deterministic: bool = False
                        ) -> Callable[[Any], Any]:
    """Load a PyTorch policy saved by ``Logger.setup_pytorch_saver``.

    The model is loaded onto the CPU, so a model trained on a GPU runs on a
    machine without one.

    Args:
        fpath: The run's output directory.
        itr: Which save: ``''`` (or None) for ``pyt_save/model.pt``, an int or
            digit string for ``pyt_save/model<itr>.pt``.
        deterministic: Ask for the deterministic action, for models whose
            ``act`` takes ``deterministic=True`` (the reference algorithms'
            models do: the Gaussian mean, or the most likely discrete
            action). Other models ignore it.

    Returns:
        ``get_action(obs)``: calls ``model.act`` on the observation (as a
        float32 tensor, without gradients) and returns the action.
    """
    fname = osp.join(fpath, "pyt_save", "model" + _itr_suffix(itr) + ".pt")
    if not osp.isfile(fname):
        raise FileNotFoundError("No PyTorch save %s." % fname)
    print("\n\nLoading from %s.\n\n" % fname)

    import torch
    try:
        # Whole modules are pickles: torch >= 2.6 needs weights_only=False.
        model = torch.load(fname, map_location="cpu", weights_only=False)
    except ModuleNotFoundError as e:
        raise PolicyLoadError(
            "Could not load the PyTorch save %s: the model's code lives in module %r, "
            "which can't be imported here (put it on PYTHONPATH)." % (fname, e.name)) from e
    except Exception as e:
        raise PolicyLoadError("Could not load the PyTorch save %s (is the file complete?): "
                              "%s: %s" % (fname, type(e).__name__, e)) from e
    if not callable(getattr(model, "act", None)):
        raise PolicyLoadError("The PyTorch save %s holds a %s, which has no act(obs) method."
                              % (fname, type(model).__name__))

    act_kwargs = {}
    if deterministic:
        try:
            if "deterministic" in inspect.signature(model.act).parameters:
                act_kwargs["deterministic"] = True
        except (TypeError, ValueError):
            pass

    def get_action(x):
        with torch.no_grad():
            x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
            action = model.act(x, **act_kwargs)
        return action

    return get_action


def _display_available() -> bool:
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _rendering_env(env: Any) -> tuple[Any, bool, bool]:
    """Set env up to be drawn on screen.

    Gymnasium envs draw themselves only when made with render_mode='human',
    so one made without it is made again that way from its spec. Old
    gym-style envs (no render_mode at all) get the classic render() call.

    Returns (env, made_here, call_render)."""
    if not hasattr(env, "render_mode"):
        return env, False, True
    if env.render_mode == "human":
        return env, False, False
    spec = getattr(env, "spec", None)
    try:
        import gymnasium as gym
        if spec is None:
            raise ValueError("it has no registered spec to make a rendering copy from")
        human = gym.make(spec, render_mode="human")
        human.reset()
        return human, True, False
    except Exception as e:
        print("Could not open a window to render %s (%s); running without rendering."
              % (getattr(spec, "id", type(env).__name__), e))
        return env, False, False


def _reset(env: Any) -> Any:
    out = env.reset()
    # gymnasium returns (obs, info); old gym returned the observation only.
    if isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict):
        return out[0]
    return out


def run_policy(env: Any, get_action: Callable[[Any], Any], max_ep_len: int | None = None,
               num_episodes: int = 100, render: bool = True) -> None:
    """Run a policy in an environment for some episodes and report returns.

    Prints ``Episode N  EpRet R  EpLen L`` after each episode and a table
    of EpRet (mean, std, min, max) and EpLen (mean) at the end.

    Works with gymnasium environments (``reset`` returning ``(obs, info)``,
    ``step`` returning five values) and with old gym-style ones (``reset``
    returning the observation, ``step`` returning four values).

    Args:
        env: The environment (None raises the "Environment not found!" error).
        get_action: Maps one observation to one action.
        max_ep_len: Cut episodes off after this many steps (None or 0: no
            limit beyond the env's own time limit).
        num_episodes: How many episodes to run.
        render: Draw the episodes on screen. A gymnasium env is made again
            with ``render_mode='human'`` for this (an old gym-style env gets
            a ``render()`` call every step); without a display, or when the
            window can't be opened, the episodes run without rendering and
            a note says so.

    Raises:
        EnvironmentNotFoundError: (an AssertionError) when env is None.
    """
    if env is None:
        raise EnvironmentNotFoundError(ENV_NOT_FOUND_MSG)

    made_here = False
    call_render = False
    if render:
        if not _display_available():
            print("No display found (DISPLAY is not set): running without rendering. "
                  "Use -nr to skip this check.")
        else:
            env, made_here, call_render = _rendering_env(env)

    # Outside /tmp/experiments the table would land in a wrapped experiment's
    # log dir (the Logger's default there); keep test runs out of it, and out
    # of the trackers SPINUP_LOG_OUTPUTS may name (MLflow, W&B): no outputs.
    logger = EpochLogger(output_dir=new_default_output_dir(), outputs=())
    o, r, d, ep_ret, ep_len, n = _reset(env), 0, False, 0, 0, 0
    try:
        while n < num_episodes:
            if call_render:
                env.render()
            if render:
                time.sleep(1e-3)

            a = get_action(o)
            out = env.step(a)
            if len(out) == 5:
                o, r, terminated, truncated, _ = out
                d = terminated or truncated
            else:
                o, r, d, _ = out
            ep_ret += r
            ep_len += 1

            if d or (ep_len == max_ep_len):
                logger.store(EpRet=ep_ret, EpLen=ep_len)
                print("Episode %d \t EpRet %.3f \t EpLen %d" % (n, ep_ret, ep_len))
                o, r, d, ep_ret, ep_len = _reset(env), 0, False, 0, 0
                n += 1
    finally:
        if made_here:
            env.close()

    logger.log_tabular("EpRet", with_min_and_max=True)
    logger.log_tabular("EpLen", average_only=True)
    logger.dump_tabular()
    logger.close()


def _runs_inside(fpath: str) -> str:
    """A hint for a folder that holds runs rather than being one (an
    experiment's folder, ``data/ppo`` instead of ``data/ppo/ppo_s0``)."""
    try:
        entries = sorted(os.listdir(fpath))
    except OSError:
        return ""
    runs = [e for e in entries if osp.isdir(osp.join(fpath, e)) and (
        re.search(r"_s\d+$", e) or osp.exists(osp.join(fpath, e, "progress.txt")))]
    if not runs:
        return ""
    shown = ", ".join(runs[:5]) + (", ..." if len(runs) > 5 else "")
    return (" %s is an experiment folder with %d run%s (%s): give one of them, e.g. "
            "python -m spinup.run test_policy %s"
            % (fpath, len(runs), "" if len(runs) == 1 else "s", shown, osp.join(fpath, runs[0])))


def main(argv=None) -> None:
    """Command-line entry point (``python -m spinup.run test_policy ...``).

    Args:
        argv: The arguments after ``test_policy``; defaults to ``sys.argv[1:]``.
    """
    from spinup._cli_grid import ArgumentParser, exit_usage

    parser = ArgumentParser(
        prog="python -m spinup.run test_policy",
        description="Load the policy saved in a run's output folder (PyTorch or "
                    "TensorFlow 1) and run it in the run's environment, printing each "
                    "episode's return and length.",
        epilog="Example: python -m spinup.run test_policy data/ppo/ppo_s0 -n 5 -nr")
    parser.add_argument("fpath", type=str,
                        help="the run's output directory, e.g. data/ppo/ppo_s0")
    parser.add_argument("--len", "-l", type=int, default=0,
                        help="maximum episode length in steps (default: 0, no limit "
                             "beyond the environment's own)")
    parser.add_argument("--episodes", "-n", type=int, default=100,
                        help="how many episodes to run (default: 100)")
    parser.add_argument("--norender", "-nr", action="store_true",
                        help="don't draw the episodes (default: draw them when there "
                             "is a display)")
    parser.add_argument("--itr", "-i", type=int, default=-1,
                        help="which saved iteration to load, as numbered by the "
                             "snapshot files (default: -1, the last one)")
    parser.add_argument("--deterministic", "-d", action="store_true",
                        help="act with the deterministic action: the mean of a "
                             "Gaussian policy or the most likely action, for PyTorch "
                             "models whose act() takes deterministic and TF policies "
                             "with a 'mu' output (default: sample)")
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error("--episodes must be 1 or more")
    try:
        env, get_action = load_policy_and_env(args.fpath,
                                              args.itr if args.itr >= 0 else "last",
                                              args.deterministic)
        run_policy(env, get_action, args.len, args.episodes, not (args.norender))
    except FileNotFoundError as e:
        hint = "" if "experiment folder" in str(e) else _runs_inside(args.fpath)
        exit_usage("spinup.run test_policy", str(e) + hint)
    except (PolicyLoadError, EnvironmentNotFoundError) as e:
        # Not a usage mistake: the files are there but unusable.
        exit_usage("spinup.run test_policy", str(e), status=1)


if __name__ == "__main__":
    main()
