"""The logger, used the way a training function uses it."""
import json
import os
import signal
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

from spinup.utils.logx import (
    EpochLogger,
    LogDirError,
    Logger,
    LoggerError,
    LoggerTypeError,
    colorize,
    load_state,
)


def read(path):
    with open(path) as f:
        return f.read()


def test_colorize_matches_ansi_codes(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert colorize("hi", "green") == "\x1b[32mhi\x1b[0m"
    assert colorize("hi", "red", bold=True) == "\x1b[31;1mhi\x1b[0m"
    assert colorize("hi", "cyan", bold=True, highlight=True) == "\x1b[46;1mhi\x1b[0m"
    assert colorize("hi", "crimson") == "\x1b[38mhi\x1b[0m"


def test_colorize_honours_no_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert colorize("hi", "green", bold=True) == "hi"
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset, as no-color.org says
    assert colorize("hi", "green") == "\x1b[32mhi\x1b[0m"


def test_epoch_logger_example_from_the_docs(tmp_path, capsys):
    logger = EpochLogger(output_dir=str(tmp_path))
    for i in range(10):
        logger.store(Test=i)
    logger.log_tabular("Test", with_min_and_max=True)
    logger.dump_tabular()
    out = capsys.readouterr().out
    assert ("-------------------------------------\n"
            "|     AverageTest |             4.5 |\n"
            "|         StdTest |            2.87 |\n"
            "|         MaxTest |               9 |\n"
            "|         MinTest |               0 |\n"
            "-------------------------------------\n") in out
    assert colorize("Logging data to %s/progress.txt" % tmp_path, "green", bold=True) in out
    assert read(tmp_path / "progress.txt") == ("AverageTest\tStdTest\tMaxTest\tMinTest\n"
                                               "4.5\t2.8722813\t9.0\t0.0\n")


def test_table_widens_for_long_keys_and_prints_strings_and_missing_keys(tmp_path, capsys):
    logger = Logger(output_dir=str(tmp_path))
    long_key = "AVeryLongDiagnosticNameIndeed"  # 29 characters > 15
    logger.log_tabular("Epoch", 0)
    logger.log_tabular(long_key, 123456.789)
    logger.log_tabular("Note", "hello")
    logger.dump_tabular()
    logger.log_tabular("Epoch", 1)
    logger.log_tabular(long_key, 0.000123)
    logger.dump_tabular()  # "Note" is missing from this row
    out = capsys.readouterr().out
    w = len(long_key)
    dashes = "-" * (22 + w)
    assert dashes + "\n" in out
    assert "| %29s | %15s |" % ("Epoch", "       0") in out
    assert "| %29s | %15s |" % (long_key, "1.23e+05") in out
    assert "| %29s | %15s |" % ("Note", "hello") in out
    assert "| %29s | %15s |" % (long_key, "0.000123") in out
    assert "| %29s | %15s |" % ("Note", "") in out
    assert read(tmp_path / "progress.txt") == (
        "Epoch\t%s\tNote\n0\t123456.789\thello\n1\t0.000123\t\n" % long_key)


def test_average_only_and_std_and_array_concatenation(tmp_path):
    logger = EpochLogger(output_dir=str(tmp_path))
    logger.store(V=np.array([1.0, 2.0]), L=0.5)
    logger.store(V=np.array([3.0, 4.0, 5.0]), L=1.5)
    logger.log_tabular("V", with_min_and_max=True)
    logger.log_tabular("L", average_only=True)
    logger.dump_tabular()
    headers, row = read(tmp_path / "progress.txt").splitlines()
    assert headers.split("\t") == ["AverageV", "StdV", "MaxV", "MinV", "L"]
    x = np.array([1, 2, 3, 4, 5], dtype=np.float32)
    mean = np.float32(x.sum()) / np.float32(5)
    std = np.sqrt(np.float32(((x - mean) ** 2).sum()) / np.float32(5))
    assert row.split("\t") == [str(mean), str(std), "5.0", "1.0", "1.0"]


def test_statistics_are_float32_like_mpi_statistics_scalar(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.normal(size=1000) * 100
    logger = EpochLogger(output_dir=str(tmp_path))
    for v in values:
        logger.store(R=float(v))
    mean, std = logger.get_stats("R")
    assert isinstance(mean, np.float32) and isinstance(std, np.float32)
    x = values.astype(np.float32)
    assert mean == np.float32(np.sum(x)) / np.float32(len(x))
    logger.log_tabular("R")
    logger.dump_tabular()
    row = read(tmp_path / "progress.txt").splitlines()[1].split("\t")
    assert row == [str(mean), str(std)]


def test_store_is_emptied_after_each_epoch(tmp_path):
    logger = EpochLogger(output_dir=str(tmp_path))
    for epoch in range(2):
        for i in range(3):
            logger.store(X=10 * epoch + i)
        logger.log_tabular("X", average_only=True)
        logger.dump_tabular()
    assert read(tmp_path / "progress.txt").splitlines() == ["X", "1.0", "11.0"]


def test_save_config_writes_sorted_json_with_exp_name(tmp_path, capsys):
    logger = Logger(output_dir=str(tmp_path), exp_name="my_exp")
    config = dict(lr=0.1, hidden=(64, 64), act=np.tanh, fn=lambda x: x, seed=3)
    logger.save_config(config)
    text = read(tmp_path / "config.json")
    expected = dict(lr=0.1, hidden=[64, 64], act="tanh", seed=3, exp_name="my_exp")
    loaded = json.loads(text)
    assert {k: loaded[k] for k in expected} == expected
    assert loaded["fn"].startswith("<function")
    assert text == json.dumps(loaded, separators=(",", ":\t"), indent=4, sort_keys=True)
    out = capsys.readouterr().out
    assert colorize("Saving config:\n", color="cyan", bold=True) in out
    assert text in out


def test_saved_files_get_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        logger = Logger(output_dir=str(tmp_path))
        logger.save_config({"a": 1})
        logger.save_state({"b": 2})
    finally:
        os.umask(mask)
    for name in ("config.json", "vars.pkl", "progress.txt"):
        assert os.stat(tmp_path / name).st_mode & 0o777 == 0o644, name


def test_values_with_tabs_or_newlines_do_not_break_the_file(tmp_path):
    logger = Logger(output_dir=str(tmp_path))
    logger.log_tabular("A", "two\twords")
    logger.log_tabular("B", "two\nlines")
    logger.log_tabular("C", 1)
    logger.dump_tabular()
    lines = read(tmp_path / "progress.txt").splitlines()
    assert lines == ["A\tB\tC", "two\\twords\ttwo\\nlines\t1"]


def test_default_output_dir_is_under_tmp_experiments(monkeypatch):
    logger = Logger()
    try:
        assert logger.output_dir.startswith("/tmp/experiments/")
        assert os.path.isdir(logger.output_dir)
    finally:
        logger.close()


def test_default_output_dir_is_made_fresh_never_through_a_planted_link(tmp_path, capsys):
    from spinup.utils.logx import new_default_output_dir
    os.makedirs("/tmp/experiments", exist_ok=True)
    now = int(time.time())
    elsewhere = tmp_path / "victim"
    elsewhere.mkdir()
    planted = []
    for t in range(now, now + 5):  # whatever second the logger starts in
        link = "/tmp/experiments/%d" % t
        if not os.path.lexists(link):
            os.symlink(elsewhere, link)
            planted.append(link)
    try:
        logger = Logger()
        logger.log_tabular("Epoch", 0)
        logger.dump_tabular()
        assert not os.path.islink(logger.output_dir)
        assert logger.output_dir.startswith("/tmp/experiments/")
        assert logger.output_dir.endswith("_1")  # the planted name was taken
        assert os.path.isfile(os.path.join(logger.output_dir, "progress.txt"))
        assert os.listdir(elsewhere) == []
        assert "already exists" not in capsys.readouterr().out
        second = new_default_output_dir()
        assert second != logger.output_dir and os.path.isdir(second)
    finally:
        for link in planted:
            os.remove(link)


def test_a_progress_file_link_is_moved_aside_not_followed(tmp_path):
    target = tmp_path / "elsewhere.txt"  # missing: following would create it
    out = tmp_path / "run"
    out.mkdir()
    os.symlink(target, out / "progress.txt")
    logger = Logger(output_dir=str(out))
    logger.log_tabular("Epoch", 0)
    logger.dump_tabular()
    assert not target.exists()
    assert os.path.islink(out / "progress.txt.1")
    assert not os.path.islink(out / "progress.txt")
    assert read(out / "progress.txt") == "Epoch\n0\n"
    os.remove(out / "progress.txt")
    os.symlink(target, out / "progress.txt")
    with pytest.raises(LoggerError, match="symbolic link"):
        Logger(output_dir=str(out), resume=True)
    assert not target.exists()


def test_a_pyt_save_link_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "run"
    out.mkdir()
    os.symlink(elsewhere, out / "pyt_save")
    logger = Logger(output_dir=str(out))
    logger.setup_pytorch_saver(torch.nn.Linear(2, 1))
    with pytest.raises(LogDirError, match="pyt_save is a symbolic link"):
        logger.save_state({})
    assert os.listdir(elsewhere) == []


def test_an_output_dir_given_as_a_link_is_used(tmp_path):
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "link")
    logger = Logger(output_dir=str(tmp_path / "link"))
    logger.log_tabular("Epoch", 0)
    logger.dump_tabular()
    assert read(tmp_path / "real" / "progress.txt") == "Epoch\n0\n"


HOLD_THE_FOLDER = r"""
import sys, time
from spinup.utils.logx import Logger
logger = Logger(output_dir=sys.argv[1])
logger.log_tabular("Epoch", 0)
logger.dump_tabular()
print("READY", flush=True)
time.sleep(120)
"""


def test_a_second_process_in_the_same_output_dir_is_refused_while_the_first_lives(tmp_path):
    out = str(tmp_path / "run")
    first = subprocess.Popen([sys.executable, "-c", HOLD_THE_FOLDER, out],
                             stdout=subprocess.PIPE, text=True)
    try:
        for line in first.stdout:
            if "READY" in line:
                break
        with pytest.raises(LogDirError, match="Another process \\(pid %d\\) is writing to %s"
                           % (first.pid, out)):
            Logger(output_dir=out)
        assert read(tmp_path / "run" / "progress.txt") == "Epoch\n0\n"
    finally:
        first.kill()
        first.wait()
    # A dead process holds no lock: the next run just goes ahead.
    logger = Logger(output_dir=out, resume=True)
    logger.log_tabular("Epoch", 1)
    logger.dump_tabular()
    logger.close()
    assert read(tmp_path / "run" / "progress.txt") == "Epoch\n0\n1\n"


def test_loggers_of_one_process_share_the_folder_and_close_lets_others_in(tmp_path,
                                                                          python_runner):
    first = Logger(output_dir=str(tmp_path))
    second = Logger(output_dir=str(tmp_path), resume=True)  # e.g. a resume after a crash
    second.close()
    first.close()
    proc = python_runner("import sys\nfrom spinup.utils.logx import Logger\n"
                         "Logger(output_dir=sys.argv[1], resume=True)\nprint('OPENED')",
                         tmp_path)
    assert "OPENED" in proc.stdout


# --- Existing outputs are never lost ------------------------------------------

def test_existing_progress_file_is_moved_aside_not_truncated(tmp_path, capsys):
    (tmp_path / "progress.txt").write_text("Epoch\n0\n1\n")
    (tmp_path / "progress.txt.1").write_text("older\n")
    logger = Logger(output_dir=str(tmp_path))
    logger.log_tabular("Epoch", 5)
    logger.dump_tabular()
    out = capsys.readouterr().out
    assert "Warning: Log dir %s already exists! Storing info there anyway." % tmp_path in out
    assert "progress.txt.2" in out
    assert read(tmp_path / "progress.txt.2") == "Epoch\n0\n1\n"
    assert read(tmp_path / "progress.txt.1") == "older\n"
    assert read(tmp_path / "progress.txt") == "Epoch\n5\n"


def test_resume_appends_rows_without_a_second_header(tmp_path):
    first = Logger(output_dir=str(tmp_path))
    for epoch in range(2):
        first.log_tabular("Epoch", epoch)
        first.log_tabular("Loss", 1.0 / (epoch + 1))
        first.dump_tabular()
    first.close()
    again = Logger(output_dir=str(tmp_path), resume=True)
    again.log_tabular("Epoch", 2)
    again.log_tabular("Loss", 0.25)
    again.dump_tabular()
    assert read(tmp_path / "progress.txt") == "Epoch\tLoss\n0\t1.0\n1\t0.5\n2\t0.25\n"


def test_resume_with_different_headers_is_refused_and_file_kept(tmp_path):
    (tmp_path / "progress.txt").write_text("Epoch\tLoss\n0\t1.0\n")
    logger = Logger(output_dir=str(tmp_path), resume=True)
    with pytest.raises(LoggerError, match="Accuracy"):
        logger.log_tabular("Accuracy", 0.5)
    logger.log_tabular("Epoch", 1)
    with pytest.raises(LoggerError, match="same keys"):
        logger.dump_tabular()  # Loss is missing
    assert read(tmp_path / "progress.txt") == "Epoch\tLoss\n0\t1.0\n"


def test_resume_drops_a_half_written_row_but_keeps_a_copy(tmp_path):
    (tmp_path / "progress.txt").write_text("Epoch\tLoss\n0\t1.0\n1\t0.")
    logger = Logger(output_dir=str(tmp_path), resume=True)
    logger.log_tabular("Epoch", 1)
    logger.log_tabular("Loss", 0.5)
    logger.dump_tabular()
    assert read(tmp_path / "progress.txt") == "Epoch\tLoss\n0\t1.0\n1\t0.5\n"
    assert read(tmp_path / "progress.txt.1") == "Epoch\tLoss\n0\t1.0\n1\t0."


def test_rewind_progress_keeps_first_rows_and_a_copy_of_the_rest(tmp_path):
    (tmp_path / "progress.txt").write_text("Epoch\n0\n1\n2\n3\n")
    logger = Logger(output_dir=str(tmp_path), resume=True)
    logger.rewind_progress(2)
    logger.log_tabular("Epoch", 2)
    logger.dump_tabular()
    assert read(tmp_path / "progress.txt") == "Epoch\n0\n1\n2\n"
    assert read(tmp_path / "progress.txt.1") == "Epoch\n0\n1\n2\n3\n"


# --- Bad input: clear, catchable, destroys nothing -----------------------------

def test_new_key_after_first_row_is_an_error_naming_it(tmp_path):
    logger = Logger(output_dir=str(tmp_path))
    logger.log_tabular("A", 1)
    logger.dump_tabular()
    with pytest.raises(AssertionError, match="Trying to introduce a new key B"):
        logger.log_tabular("B", 2)


def test_same_key_twice_is_an_error(tmp_path):
    logger = Logger(output_dir=str(tmp_path))
    logger.log_tabular("A", 1)
    with pytest.raises(LoggerError, match="You already set A this iteration"):
        logger.log_tabular("A", 2)


def test_key_never_stored_is_an_error_naming_the_key(tmp_path):
    logger = EpochLogger(output_dir=str(tmp_path))
    logger.store(EpRet=1.0)
    with pytest.raises(LoggerError, match="'EpLen'.*logger.store\\(EpLen=value\\)"):
        logger.log_tabular("EpLen")


def test_store_of_non_numeric_value_fails_at_store_time(tmp_path):
    logger = EpochLogger(output_dir=str(tmp_path))
    with pytest.raises(LoggerTypeError, match="Name"):
        logger.store(Name="hello")
    with pytest.raises(TypeError, match="Obj"):
        logger.store(Obj=object())
    logger.store(Fine=np.float32(1.0), Arr=np.arange(3), Zero=np.array(0.5))
    assert set(logger.epoch_dict) == {"Fine", "Arr", "Zero"}


def test_lists_tuples_and_ragged_sequences_count_every_number_once(tmp_path):
    logger = EpochLogger(output_dir=str(tmp_path))
    logger.store(V=[1, 2, 3])
    logger.store(V=[5])
    logger.store(T=(1.0, 2.0), R=[[1, 2], [3]])
    logger.store(T=3.0, R=[[4]])
    logger.log_tabular("V", average_only=True)
    logger.log_tabular("T", average_only=True)
    logger.log_tabular("R", with_min_and_max=True)
    logger.dump_tabular()
    headers, row = read(tmp_path / "progress.txt").splitlines()
    values = dict(zip(headers.split("\t"), row.split("\t")))
    assert values["V"] == "2.75"  # the original logged 6.0 for store(V=[1, 2, 3])
    assert values["T"] == "2.0"
    assert (values["AverageR"], values["MinR"], values["MaxR"]) == ("2.5", "1.0", "4.0")


def test_torch_tensors_are_stored_as_numbers_and_detached_with_one_warning(tmp_path):
    torch = pytest.importorskip("torch")
    logger = EpochLogger(output_dir=str(tmp_path))
    weight = torch.tensor([1.0, 3.0], requires_grad=True)
    with pytest.warns(UserWarning, match="requires grad"):
        logger.store(Loss=weight * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the warning is given once, not every epoch
        logger.store(Loss=weight.sum(), Plain=torch.arange(4))
    logger.log_tabular("Loss", average_only=True)
    logger.log_tabular("Plain", average_only=True)
    logger.dump_tabular()
    assert read(tmp_path / "progress.txt").splitlines()[1] == "4.0\t1.5"


def test_non_string_keys_are_a_logger_type_error(tmp_path):
    logger = EpochLogger(output_dir=str(tmp_path))
    logger.store(V=1)
    with pytest.raises(LoggerTypeError, match="must be a string, not 3"):
        logger.log_tabular(3, 1.0)
    with pytest.raises(LoggerTypeError, match="must be a string"):
        logger.get_stats(("V",))


def test_output_dir_that_is_a_file(tmp_path):
    target = tmp_path / "not_a_dir"
    target.write_text("precious")
    with pytest.raises(LogDirError, match="existing file"):
        Logger(output_dir=str(target))
    assert target.read_text() == "precious"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_dir(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OSError, match="not writable"):
            Logger(output_dir=str(locked / "run"))
    finally:
        locked.chmod(0o700)


def test_output_dir_that_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(LogDirError, match="Cannot create log dir"):
        Logger(output_dir=str(tmp_path / "file" / "run"))


def test_unpicklable_state_warns_in_red_and_keeps_going(tmp_path, capsys):
    logger = Logger(output_dir=str(tmp_path))
    logger.save_state({"ok": 1})
    logger.save_state({"bad": lambda: None})  # joblib cannot pickle a lambda
    out = capsys.readouterr().out
    assert colorize("Warning: could not pickle state_dict.", "red", bold=True) in out
    assert load_state(str(tmp_path)) == {"ok": 1}  # the previous snapshot survives
    assert [f for f in os.listdir(tmp_path) if f.endswith(".tmp")] == []


def test_unknown_snapshot_mode_lists_valid_ones(tmp_path):
    with pytest.raises(ValueError, match="gap_and_last"):
        Logger(output_dir=str(tmp_path), snapshot_mode="sometimes")


# --- Snapshots ------------------------------------------------------------------

@pytest.mark.parametrize("mode, expected", [
    (None, {"vars0.pkl", "vars1.pkl", "vars2.pkl", "vars3.pkl", "vars4.pkl"}),
    ("last", {"vars.pkl"}),
    ("all", {"vars0.pkl", "vars1.pkl", "vars2.pkl", "vars3.pkl", "vars4.pkl"}),
    ("gap", {"vars0.pkl", "vars2.pkl", "vars4.pkl"}),
    ("gap_and_last", {"vars.pkl", "vars0.pkl", "vars2.pkl", "vars4.pkl"}),
    ("gap_overwrite", {"vars.pkl"}),
    ("none", set()),
])
def test_snapshot_modes(tmp_path, mode, expected):
    logger = Logger(output_dir=str(tmp_path), snapshot_mode=mode, snapshot_gap=2)
    for itr in range(5):
        logger.save_state({"itr": itr}, itr)
    assert {f for f in os.listdir(tmp_path) if f.startswith("vars")} == expected
    if expected:
        assert load_state(str(tmp_path))["itr"] in (3, 4)
    if mode == "gap_overwrite":
        assert load_state(str(tmp_path), itr=None)["itr"] == 4


def test_load_state_of_numbered_and_missing_snapshots(tmp_path):
    logger = Logger(output_dir=str(tmp_path))
    logger.save_state({"epoch": 3}, 3)
    logger.save_state({"epoch": 10}, 10)
    assert load_state(str(tmp_path))["epoch"] == 10
    assert load_state(str(tmp_path), itr=3)["epoch"] == 3
    with pytest.raises(FileNotFoundError, match="vars7.pkl"):
        load_state(str(tmp_path), itr=7)
    with pytest.raises(FileNotFoundError):
        load_state(str(tmp_path / "nowhere"))


def test_pytorch_model_is_saved_and_loads_back(tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, y = torch.randn(64, 3), torch.randn(64, 1)
    for _ in range(20):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()
    logger = Logger(output_dir=str(tmp_path))
    logger.setup_pytorch_saver(model)
    logger.save_state({"step": 20})
    logger.save_state({"step": 20}, itr=7)
    for name in ("model.pt", "model7.pt"):
        loaded = torch.load(tmp_path / "pyt_save" / name, weights_only=False)
        assert torch.equal(loaded(x), model(x))


def test_model_file_is_byte_for_byte_what_torch_save_writes(tmp_path):
    # torch names the records inside model.pt after the file it writes, so
    # the logger must write "model.pt" itself, not a temporary file name.
    torch = pytest.importorskip("torch")
    import zipfile
    model = torch.nn.Linear(3, 2)
    logger = Logger(output_dir=str(tmp_path / "run"))
    logger.setup_pytorch_saver(model)
    logger.save_state({}, itr=3)
    logger.save_state({})
    os.makedirs(tmp_path / "direct")
    for name in ("model.pt", "model3.pt"):
        torch.save(model, str(tmp_path / "direct" / name))
        ours = tmp_path / "run" / "pyt_save" / name
        assert ours.read_bytes() == (tmp_path / "direct" / name).read_bytes()
        record = name[:-3] + "/data.pkl"
        assert record in zipfile.ZipFile(ours).namelist()


TF_SAVE_AND_RESTORE = r"""
import sys
import numpy as np
import tensorflow as tf
from spinup.utils.logx import Logger, restore_tf_graph

tf.compat.v1.disable_eager_execution()
out_dir = sys.argv[1]
x_ph = tf.compat.v1.placeholder(tf.float32, shape=(None, 3))
w = tf.compat.v1.get_variable("w", shape=(3, 2))
b = tf.compat.v1.get_variable("b", shape=(2,), initializer=tf.compat.v1.zeros_initializer())
y = tf.tanh(tf.matmul(x_ph, w) + b)
sess = tf.compat.v1.Session()
sess.run(tf.compat.v1.global_variables_initializer())
logger = Logger(output_dir=out_dir)
logger.setup_tf_saver(sess, inputs={"x": x_ph}, outputs={"y": y})
logger.save_state({"note": "first"})
sess.run(b.assign([1.0, -1.0]))
logger.save_state({"note": "second"})  # replaces tf1_save
logger.save_state({"note": "second"}, itr=3)
data = np.arange(6, dtype=np.float32).reshape(2, 3)
expected = sess.run(y, {x_ph: data})

for folder in ("tf1_save", "tf1_save3"):
    graph = tf.Graph()
    with graph.as_default():
        fresh = tf.compat.v1.Session(graph=graph)
        model = restore_tf_graph(fresh, out_dir + "/" + folder)
        got = fresh.run(model["y"], {model["x"]: data})
        assert np.allclose(got, expected), (folder, got, expected)

try:
    logger.setup_tf_saver(sess, inputs={"x": np.zeros(3)}, outputs={"y": y})
except TypeError as e:
    assert "not a graph tensor" in str(e), e
else:
    raise SystemExit("setup_tf_saver accepted a numpy array")
print("TF-OK")
"""


def test_tf1_graph_saved_and_restored_in_a_fresh_graph(tmp_path, python_runner):
    pytest.importorskip("tensorflow")
    proc = python_runner(TF_SAVE_AND_RESTORE, tmp_path, timeout=180)
    assert "TF-OK" in proc.stdout
    assert sorted(os.listdir(tmp_path / "tf1_save")) == sorted(
        ["model_info.pkl", "saved_model.pb", "variables"])
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".")]


SAVE_FOREVER = r"""
import sys
import numpy as np
from spinup.utils.logx import EpochLogger
logger = EpochLogger(output_dir=sys.argv[1])
payload = np.random.rand(200_000)
itr = 0
while True:
    logger.save_state({"itr": itr, "payload": payload})
    logger.save_state({"itr": itr, "payload": payload}, itr % 3)
    logger.log_tabular("Itr", itr)
    logger.dump_tabular()
    itr += 1
    if itr == 5:
        print("READY", flush=True)
"""


def test_sigkill_during_repeated_saves_leaves_loadable_snapshots(tmp_path):
    for delay in (0.05, 0.13, 0.31):
        out = tmp_path / ("run%s" % delay)
        proc = subprocess.Popen([sys.executable, "-c", SAVE_FOREVER, str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in proc.stdout:
            if "READY" in line:
                break
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = load_state(str(out), itr=None)
        assert state["payload"].shape == (200_000,)
        for k in range(3):
            assert load_state(str(out), itr=k)["payload"].shape == (200_000,)
        # The progress file can be continued: no duplicate header, no broken row.
        logger = EpochLogger(output_dir=str(out), resume=True)
        logger.log_tabular("Itr", -1)
        logger.dump_tabular()
        lines = read(out / "progress.txt").splitlines()
        assert lines[0] == "Itr" and lines.count("Itr") == 1
        assert [int(v) for v in lines[1:-1]] == list(range(len(lines) - 2))
        assert lines[-1] == "-1"


def test_tensorboard_event_files_without_tensorflow(tmp_path, python_runner):
    pytest.importorskip("tensorboardX")
    code = r"""
import sys
from spinup.utils.logx import EpochLogger
logger = EpochLogger(output_dir=sys.argv[1], tensorboard=True)
for epoch in range(3):
    logger.store(EpRet=float(epoch))
    logger.log_tabular("Epoch", epoch)
    logger.log_tabular("EpRet", average_only=True)
    logger.dump_tabular()
logger.close()
assert "tensorflow" not in sys.modules and "torch" not in sys.modules, "heavy import"
"""
    python_runner(code, tmp_path)
    events = os.listdir(tmp_path / "tb")
    assert any(name.startswith("events.out.tfevents") for name in events)
    # Read the records back: TFRecord framing around tensorboardX's Event protos.
    from tensorboardX.proto.event_pb2 import Event
    path = os.path.join(tmp_path, "tb", [e for e in events if e.startswith("events")][0])
    data, records = open(path, "rb").read(), []
    while data:
        length = int.from_bytes(data[:8], "little")
        records.append(Event.FromString(data[12:12 + length]))
        data = data[12 + length + 4:]
    scalars = [(ev.step, v.simple_value) for ev in records for v in ev.summary.value
               if v.tag == "EpRet"]
    assert scalars == [(0, 0.0), (1, 1.0), (2, 2.0)]


# --- MPI -------------------------------------------------------------------------

MPI_LOGGING = r"""
import os, sys
import numpy as np
from spinup.utils.logx import EpochLogger
from spinup.utils.mpi_tools import proc_id, num_procs
assert num_procs() == 2
out_dir = sys.argv[1]
logger = EpochLogger(output_dir=out_dir)
assert (logger.output_dir is None) == (proc_id() == 1)
rank = proc_id()
for v in range(rank * 10, rank * 10 + 5):  # rank 0: 0..4, rank 1: 10..14
    logger.store(X=v)
if rank == 1:
    logger.store(OnlyOne=7.0)
logger.log_tabular("X", with_min_and_max=True)
logger.log_tabular("OnlyOne", with_min_and_max=True)
logger.save_config({"rank": rank})
logger.save_state({"rank": rank})
logger.log("hello from %d" % rank)
logger.dump_tabular()
"""


def test_under_mpi_only_rank_0_writes_and_statistics_are_global(tmp_path, python_runner):
    out = tmp_path / "run"
    proc = python_runner(MPI_LOGGING, out, n=2, timeout=120)
    assert proc.stdout.count("Logging data to") == 1
    assert "hello from 0" in proc.stdout and "hello from 1" not in proc.stdout
    assert sorted(os.listdir(out)) == ["config.json", "progress.txt", "vars.pkl"]
    assert json.loads(read(out / "config.json")) == {"rank": 0}
    assert load_state(str(out)) == {"rank": 0}
    headers, row = read(out / "progress.txt").splitlines()
    values = dict(zip(headers.split("\t"), row.split("\t")))
    x = np.array([0, 1, 2, 3, 4, 10, 11, 12, 13, 14], dtype=np.float32)
    assert float(values["AverageX"]) == 7.0
    assert float(values["StdX"]) == pytest.approx(float(x.std()), rel=1e-6)
    assert (values["MaxX"], values["MinX"]) == ("14.0", "0.0")
    assert (values["AverageOnlyOne"], values["MaxOnlyOne"], values["MinOnlyOne"]) == \
        ("7.0", "7.0", "7.0")


# A real full disk needs a small file system, which needs root to mount. A
# file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored) makes the kernel fail
# writes past the limit with EFBIG, exactly where a full disk fails them with
# ENOSPC: the same partial writes, the same OSError, from the real kernel.
FILE_SIZE_LIMIT = r"""
import os, resource, signal, sys
import numpy as np
import torch
from spinup.utils.logx import EpochLogger, load_state

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
out = sys.argv[1]
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)

def limit(nbytes):
    resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, hard))

logger = EpochLogger(output_dir=out)
model = torch.nn.Linear(100, 100)
logger.setup_pytorch_saver(model)
logger.save_state({"epoch": 0, "w": np.zeros(10)})
with open(out + "/pyt_save/model.pt", "rb") as f:
    first_model = f.read()

for what, state in (("model", {"epoch": 1, "w": np.zeros(10)}),
                    ("vars", {"epoch": 1, "w": np.zeros(100_000)})):
    with torch.no_grad():
        model.weight.add_(1.0)
    limit(20_000)  # the model (40 kB) or the state (800 kB) does not fit
    try:
        logger.save_state(state)
    except OSError as e:
        print("%s-ERROR: %s" % (what, e))
    else:
        raise SystemExit("save_state succeeded past the limit")
    limit(soft)
    assert load_state(out)["epoch"] == 0, what
    with open(out + "/pyt_save/model.pt", "rb") as f:
        assert f.read() == first_model, what

logger.log_tabular("Epoch", 0)
logger.log_tabular("Text", "x" * 300)
logger.dump_tabular()
logger.log_tabular("Epoch", 1)
logger.log_tabular("Text", "y" * 300)
limit(os.path.getsize(out + "/progress.txt") + 100)  # a third of the row fits
try:
    logger.dump_tabular()
except OSError as e:
    print("ROW-ERROR: %s" % e)
else:
    raise SystemExit("dump_tabular succeeded past the limit")
limit(soft)
logger.dump_tabular()  # the same row, once there is room
logger.log_tabular("Epoch", 2)
logger.log_tabular("Text", "z")
logger.dump_tabular()
print("DONE")
"""


def test_a_failed_write_raises_and_leaves_the_previous_snapshot_and_rows(tmp_path,
                                                                         python_runner):
    pytest.importorskip("torch")
    proc = python_runner(FILE_SIZE_LIMIT, tmp_path, timeout=180)
    assert "DONE" in proc.stdout, proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if "-ERROR" in line]
    model_error, vars_error, row_error = errors
    assert model_error.startswith("model-ERROR: [Errno 27] Could not save the snapshot ")
    assert "pyt_save/model.pt: the file became too large" in model_error
    assert "unexpected pos" not in model_error
    assert "/vars.pkl: the file became too large" in vars_error
    assert "previous snapshot is left as it was" in vars_error
    assert "could not pickle" not in proc.stdout
    assert "File too large" in row_error
    rows = read(tmp_path / "progress.txt").splitlines()
    assert [row.split("\t")[0] for row in rows] == ["Epoch", "0", "1", "2"]
    assert rows[2] == "1\t" + "y" * 300
    leftovers = [f for f in os.listdir(tmp_path) + os.listdir(tmp_path / "pyt_save")
                 if f.startswith(".")]
    assert leftovers == []


TF_FILE_SIZE_LIMIT = r"""
import os, resource, signal, sys
import tensorflow as tf
from spinup.utils.logx import Logger, load_state

tf.compat.v1.disable_eager_execution()
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
out = sys.argv[1]
x = tf.compat.v1.placeholder(tf.float32, (None, 3))
w = tf.compat.v1.get_variable("w", initializer=tf.ones((3, 20000)))
sess = tf.compat.v1.Session()
sess.run(tf.compat.v1.global_variables_initializer())
logger = Logger(output_dir=out)
logger.setup_tf_saver(sess, {"x": x}, {"y": tf.matmul(x, w)})
logger.save_state({"epoch": 0})
before = sorted(os.listdir(out + "/tf1_save/variables"))
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, hard))  # the 240 kB variables do not fit
try:
    logger.save_state({"epoch": 1})
except OSError as e:
    print("TF-ERROR: %s" % e)
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
assert load_state(out)["epoch"] == 0
assert sorted(os.listdir(out + "/tf1_save/variables")) == before
print("LEFT", [f for f in os.listdir(out) if f.startswith(".")])
"""


def test_a_failed_tf_save_raises_and_keeps_the_previous_one(tmp_path, python_runner):
    pytest.importorskip("tensorflow")
    proc = python_runner(TF_FILE_SIZE_LIMIT, tmp_path, timeout=180)
    assert ("TF-ERROR: [Errno 27] Could not save the snapshot %s/tf1_save: the file became "
            "too large" % tmp_path) in proc.stdout, proc.stdout + proc.stderr
    assert "LEFT []" in proc.stdout


def test_disk_full_is_named_as_such(tmp_path):
    # /dev/full fails every write with ENOSPC, the error of a full disk.
    from spinup.utils import logx
    with pytest.raises(OSError) as info, open("/dev/full", "wb", buffering=0) as full:
        full.write(b"x" * 10)
    error = logx._save_error(info.value, str(tmp_path / "vars.pkl"))
    assert error.errno == 28
    assert "vars.pkl: no space left on the device" in str(error)


# The model's bias holds the epoch, so each file says which save wrote it.
SAVE_EPOCHS = r"""
import os, signal, sys
import torch
from spinup.utils import _snapshots
from spinup.utils.logx import Logger

out, kill_at = sys.argv[1], int(sys.argv[2])
logger = Logger(output_dir=out)
model = torch.nn.Linear(2000, 1)
logger.setup_pytorch_saver(model)
real_replace = os.replace

def replace_then_maybe_die(src, dst):
    # Die just before vars.pkl is put in place: the model is already renamed.
    if dst.endswith("vars.pkl") and epoch == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst)

_snapshots.os.replace = replace_then_maybe_die
epoch = 0
while True:
    with torch.no_grad():
        model.bias.fill_(epoch)
    logger.save_state({"epoch": epoch})
    if epoch == 3:
        print("READY", flush=True)
    epoch += 1
"""


def snapshot_epochs(out):
    torch = pytest.importorskip("torch")
    model = torch.load(out / "pyt_save" / "model.pt", weights_only=False)
    return load_state(str(out))["epoch"], int(model.bias.item())


def test_a_run_killed_between_the_two_files_of_a_save_opens_at_the_previous_pair(tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-c", SAVE_EPOCHS, str(out), "2"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert snapshot_epochs(out) == (1, 2)  # killed mid-save: the model is one ahead
    assert [f for f in os.listdir(out) if f.startswith(".vars.pkl.")]  # and a temp file
    Logger(output_dir=str(out))  # the next logger in that folder tidies up
    assert snapshot_epochs(out) == (1, 1)
    left = [f for f in os.listdir(out) + os.listdir(out / "pyt_save") if f.startswith(".")]
    assert left == []


def test_random_kills_while_saving_leave_matching_vars_and_model(tmp_path):
    pytest.importorskip("torch")
    for k, delay in enumerate((0.0, 0.02, 0.05, 0.11, 0.17, 0.3)):
        out = tmp_path / ("run%d" % k)
        proc = subprocess.Popen([sys.executable, "-c", SAVE_EPOCHS, str(out), "-1"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in proc.stdout:
            if "READY" in line:
                break
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        Logger(output_dir=str(out))
        vars_epoch, model_epoch = snapshot_epochs(out)
        assert vars_epoch == model_epoch >= 3
        assert not [f for f in os.listdir(out) + os.listdir(out / "pyt_save")
                    if f.startswith(".")]
