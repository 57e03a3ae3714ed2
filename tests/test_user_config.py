"""user_config settings and their environment overrides."""
import os


def config_in_fresh_process(python_runner, env, cwd):
    code = r"""
from spinup import user_config as c
print(repr((c.DEFAULT_DATA_DIR, c.FORCE_DATESTAMP, c.DEFAULT_SHORTHAND, c.WAIT_BEFORE_LAUNCH,
            c.DEFAULT_BACKEND)))
"""
    clean = {k: "" for k in ("SPINUP_DATA_DIR", "SPINUP_FORCE_DATESTAMP",
                             "SPINUP_DEFAULT_SHORTHAND", "SPINUP_WAIT_BEFORE_LAUNCH")}
    clean.update(env)
    return eval(python_runner(code, env=clean, cwd=cwd).stdout)


def test_defaults(python_runner, tmp_path):
    data_dir, stamp, shorthand, wait, backend = config_in_fresh_process(python_runner, {}, tmp_path)
    assert data_dir == os.path.join(str(tmp_path), "data")
    assert (stamp, shorthand, wait) == (False, True, 5)
    # PyTorch by default, except TRPO, which only TF1 has.
    assert {"vpg", "ppo", "ddpg", "td3", "sac"} <= set(backend)
    assert all(v == ("tf1" if k == "trpo" else "pytorch") for k, v in backend.items()), backend


def test_environment_overrides(python_runner, tmp_path):
    env = {"SPINUP_DATA_DIR": "/somewhere/else", "SPINUP_FORCE_DATESTAMP": "1",
           "SPINUP_DEFAULT_SHORTHAND": "false", "SPINUP_WAIT_BEFORE_LAUNCH": "0"}
    data_dir, stamp, shorthand, wait, _ = config_in_fresh_process(python_runner, env, tmp_path)
    assert (data_dir, stamp, shorthand, wait) == ("/somewhere/else", True, False, 0)


def test_bad_wait_value_is_a_clear_error(python_runner, tmp_path):
    proc = python_runner("import spinup.user_config", env={"SPINUP_WAIT_BEFORE_LAUNCH": "soon"},
                         check=False)
    assert proc.returncode != 0
    assert "SPINUP_WAIT_BEFORE_LAUNCH='soon' is not a number" in proc.stderr


def test_yes_no_settings_take_the_usual_words_and_refuse_typos(python_runner, tmp_path):
    for word, expected in (("YES", True), ("on", True), ("Off", False), ("no", False)):
        env = {"SPINUP_FORCE_DATESTAMP": word}
        assert config_in_fresh_process(python_runner, env, tmp_path)[1] is expected
    proc = python_runner("import spinup.user_config", env={"SPINUP_DEFAULT_SHORTHAND": "ture"},
                         check=False)
    assert proc.returncode != 0
    assert "SPINUP_DEFAULT_SHORTHAND='ture' is not a yes/no value" in proc.stderr
