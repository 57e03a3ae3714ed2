"""The scripts in examples/ run as documented (with small settings) and
write what they promise."""
import importlib.util
import os
import subprocess
import sys

import pytest
from algo_testing import read_progress

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples")


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_example(name, *args, timeout=120):
    env = dict(os.environ, SPINUP_WAIT_BEFORE_LAUNCH="0")
    proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, name + ".py"), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.mark.parametrize("name", ["pg_simplest", "pg_reward_to_go"])
def test_policy_gradient_teaching_scripts(name, capsys):
    history = load_example(name).train(epochs=2, batch_size=400, seed=1)
    assert len(history) == 2 and all(h > 0 for h in history)
    assert "epoch:   1 \t loss:" in capsys.readouterr().out


def test_reward_to_go_weights():
    rtg = load_example("pg_reward_to_go").reward_to_go([1.0, 2.0, 3.0])
    assert rtg.tolist() == [6.0, 5.0, 3.0]


def test_tf1_classifier_saves_a_model_that_loads_back(tmp_path):
    proc = run_example("tf1_train_classifier", "--epochs", 3, "--data_dir", tmp_path)
    out = tmp_path / "tf1_spirals"
    headers, rows = read_progress(out)
    assert headers == ["Epoch", "AverageAcc", "StdAcc", "MaxAcc", "MinAcc", "Loss", "TestAcc",
                       "TotalGradientSteps", "Time"]
    assert len(rows) == 3
    assert (out / "tf1_save" / "saved_model.pb").exists()
    accuracy = float(proc.stdout.split("Held-out accuracy of the saved model:")[1].split()[0])
    assert accuracy > 0.6  # three classes: chance is 1/3


def test_grid_over_a_user_function(tmp_path):
    run_example("grid_user_function", "--data_dir", tmp_path, "--epochs", 5, "--parallel", 2)
    final_error = {}
    for lr in ("0-01", "0-1"):
        for seed in (0, 10):
            run = tmp_path / ("fit-line_lr" + lr) / ("fit-line_lr%s_s%d" % (lr, seed))
            headers, rows = read_progress(run)
            assert len(rows) == 5 and "AverageLoss" in headers
            final_error[lr, seed] = float(rows[-1]["WeightError"])
    # The larger step size gets closer to the true line in as many steps.
    for seed in (0, 10):
        assert final_error["0-1", seed] < final_error["0-01", seed]


def test_ppo_benchmark_grid(tmp_path):
    run_example("bench_ppo_cartpole", "--num_runs", 1, "--epochs", 1, "--steps_per_epoch", 200,
                "--parallel", 2, "--data_dir", tmp_path, timeout=180)
    runs = sorted(p.parent.name for p in tmp_path.glob("*/*/progress.txt"))
    assert runs == ["ppo-pyt-bench_cartpole-v1_hid32_relu_s0",
                    "ppo-pyt-bench_cartpole-v1_hid32_tanh_s0",
                    "ppo-pyt-bench_cartpole-v1_hid64-64_relu_s0",
                    "ppo-pyt-bench_cartpole-v1_hid64-64_tanh_s0"]


def test_the_demo_trains_plots_and_tests_a_policy(tmp_path):
    # `make demo`, shortened: the grid, its summary files, the plots, test_policy.
    proc = run_example("demo", "--epochs", 1, "--steps_per_epoch", 200, "--data_dir", tmp_path,
                       timeout=300)
    (out,) = tmp_path.iterdir()
    assert sorted(p.name for p in (out / "plots").iterdir()) == [
        "LossPi.png", "LossV.png", "Performance.png"]
    assert (out / "runs" / "demo_ppo_summary.csv").is_file()
    assert len(list(out.glob("runs/*/*/pyt_save/model.pt"))) == 4
    assert "Demo finished" in proc.stdout
