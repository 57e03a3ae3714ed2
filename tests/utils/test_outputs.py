"""The logger's outputs beyond progress.txt: CSV, JSON Lines, TensorBoard,
MLflow and W&B, each read back with its own tool."""
import csv
import glob
import importlib.util
import inspect
import json
import os
import sys

import numpy as np
import pytest

from spinup.utils.logx import EpochLogger, Logger, LoggerError


@pytest.fixture(autouse=True)
def no_outputs_from_the_environment(monkeypatch):
    """Each test says which outputs it wants."""
    monkeypatch.delenv("SPINUP_LOG_OUTPUTS", raising=False)


def needs(*modules):
    """Skip unless the modules are installed (without importing them here:
    importing tensorboardX in this process would import torch)."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    return pytest.mark.skipif(bool(missing), reason="needs %s" % ", ".join(missing))


def read(path):
    with open(path, encoding="utf-8", newline="") as f:  # no newline translation
        return f.read()


def progress_txt(path):
    """(headers, rows) of a progress.txt, every value as text."""
    lines = read(path).splitlines()
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        records = list(csv.reader(f))
    return records[0], records[1:]


def read_jsonl(path):
    return [json.loads(line) for line in read(path).splitlines()]


def log_epochs(logger, epochs, start=0):
    for epoch in range(start, start + epochs):
        logger.store(EpRet=float(epoch), EpLen=10 + epoch)
        logger.log_tabular("Epoch", epoch)
        logger.log_tabular("EpRet", with_min_and_max=True)
        logger.log_tabular("EpLen", average_only=True)
        logger.log_tabular("TotalEnvInteracts", 100 * (epoch + 1))
        logger.dump_tabular()


# --- CSV and JSON Lines ------------------------------------------------------------

def test_csv_and_jsonl_hold_the_rows_of_progress_txt(tmp_path):
    logger = Logger(output_dir=str(tmp_path), outputs=("csv", "jsonl"))
    note = 'a "quoted", tabbed\tand\nmulti-line note'
    rows = [(0, np.float32(1.5), note, float("nan")), (1, np.float32(-2.25), "plain", 3.0)]
    for epoch, ret, text, loss in rows:
        logger.log_tabular("Epoch", epoch)
        logger.log_tabular("AverageEpRet", ret)
        logger.log_tabular("Note", text)
        logger.log_tabular("Loss", loss)
        logger.dump_tabular()
    logger.close()

    txt_headers, txt_rows = progress_txt(tmp_path / "progress.txt")
    csv_headers, csv_rows = read_csv(tmp_path / "progress.csv")
    assert csv_headers == txt_headers == ["Epoch", "AverageEpRet", "Note", "Loss"]
    assert csv_rows == [["0", "1.5", note, "nan"], ["1", "-2.25", "plain", "3.0"]]
    # Where progress.txt had to escape the note, CSV quotes it instead.
    assert txt_rows[0][2] == 'a "quoted", tabbed\\tand\\nmulti-line note'
    assert [r[:2] + r[3:] for r in csv_rows] == [r[:2] + r[3:] for r in txt_rows]
    assert read(tmp_path / "progress.csv").startswith("Epoch,AverageEpRet,Note,Loss\r\n")

    assert read_jsonl(tmp_path / "progress.jsonl") == [
        {"Epoch": 0, "AverageEpRet": 1.5, "Note": note, "Loss": None},  # JSON has no NaN
        {"Epoch": 1, "AverageEpRet": -2.25, "Note": "plain", "Loss": 3.0},
    ]


def test_existing_csv_and_jsonl_are_moved_aside_not_overwritten(tmp_path):
    (tmp_path / "progress.csv").write_text("Old\r\n1\r\n")
    (tmp_path / "progress.jsonl").write_text('{"Old": 1}\n')
    logger = Logger(output_dir=str(tmp_path), outputs="csv,jsonl")
    logger.log_tabular("New", 2)
    logger.dump_tabular()
    logger.close()
    assert read(tmp_path / "progress.csv.1") == "Old\r\n1\r\n"
    assert read(tmp_path / "progress.jsonl.1") == '{"Old": 1}\n'
    assert read_csv(tmp_path / "progress.csv") == (["New"], [["2"]])
    assert read_jsonl(tmp_path / "progress.jsonl") == [{"New": 2}]


def test_resume_rewinds_csv_and_jsonl_with_progress_txt(tmp_path):
    logger = EpochLogger(output_dir=str(tmp_path), outputs=("csv", "jsonl"))
    log_epochs(logger, 4)
    logger.close()

    # Resume from a snapshot taken after epoch 1: epochs 2 and 3 are redone.
    logger = EpochLogger(output_dir=str(tmp_path), outputs=("csv", "jsonl"), resume=True)
    logger.rewind_progress(2)
    log_epochs(logger, 2, start=2)
    logger.close()

    _, txt_rows = progress_txt(tmp_path / "progress.txt")
    _, csv_rows = read_csv(tmp_path / "progress.csv")
    epochs = [row["Epoch"] for row in read_jsonl(tmp_path / "progress.jsonl")]
    assert [r[0] for r in txt_rows] == [r[0] for r in csv_rows] == ["0", "1", "2", "3"]
    assert epochs == [0, 1, 2, 3]
    assert csv_rows == txt_rows
    # The complete old files are kept, as for progress.txt.
    assert len(read_csv(tmp_path / "progress.csv.1")[1]) == 4
    assert len(read_jsonl(tmp_path / "progress.jsonl.1")) == 4


def test_resume_drops_a_half_written_csv_row_but_keeps_a_copy(tmp_path):
    (tmp_path / "progress.txt").write_text("Epoch\tNote\n0\tok\n")
    half = 'Epoch,Note\r\n0,ok\r\n1,"cut in\r\n'  # killed inside a quoted field
    (tmp_path / "progress.csv").write_text(half, newline="")
    logger = Logger(output_dir=str(tmp_path), outputs=["csv"], resume=True)
    logger.log_tabular("Epoch", 1)
    logger.log_tabular("Note", "again")
    logger.dump_tabular()
    logger.close()
    assert read_csv(tmp_path / "progress.csv") == (["Epoch", "Note"],
                                                   [["0", "ok"], ["1", "again"]])
    assert read(tmp_path / "progress.csv.1") == half


def test_resuming_beside_a_csv_of_other_columns_warns_and_goes_on(tmp_path):
    (tmp_path / "progress.txt").write_text("Epoch\tLoss\n0\t1.0\n")
    (tmp_path / "progress.csv").write_text("Epoch,Other\r\n0,x\r\n", newline="")
    logger = Logger(output_dir=str(tmp_path), outputs=["csv"], resume=True)
    logger.log_tabular("Epoch", 1)
    logger.log_tabular("Loss", 0.5)
    with pytest.warns(RuntimeWarning, match="'csv' output failed .*its columns are"):
        logger.dump_tabular()
    logger.close()
    assert progress_txt(tmp_path / "progress.txt")[1] == [["0", "1.0"], ["1", "0.5"]]
    assert read(tmp_path / "progress.csv") == "Epoch,Other\r\n0,x\r\n"  # left as it was


def test_a_linked_csv_is_moved_aside_not_followed(tmp_path):
    target = tmp_path / "elsewhere.csv"
    target.write_text("")  # empty: a plain file would simply be appended to
    os.mkdir(tmp_path / "run")
    os.symlink(target, tmp_path / "run" / "progress.csv")
    logger = Logger(output_dir=str(tmp_path / "run"), outputs=["csv"])
    logger.log_tabular("Epoch", 0)
    logger.dump_tabular()
    logger.close()
    assert read(target) == ""
    assert os.path.islink(tmp_path / "run" / "progress.csv.1")
    assert read_csv(tmp_path / "run" / "progress.csv") == (["Epoch"], [["0"]])


# --- Choosing outputs ------------------------------------------------------------

def test_unknown_output_is_a_clear_error_listing_the_valid_ones(tmp_path, monkeypatch):
    with pytest.raises(LoggerError, match=r"'json'.*csv, jsonl, tensorboard, mlflow, wandb"):
        Logger(output_dir=str(tmp_path / "a"), outputs=("csv", "json"))
    assert not (tmp_path / "a").exists()  # checked before anything is written
    monkeypatch.setenv("SPINUP_LOG_OUTPUTS", "csv,tensorbord")
    with pytest.raises(ValueError, match=r"'tensorbord' \(from SPINUP_LOG_OUTPUTS\)"):
        Logger(output_dir=str(tmp_path / "b"))


def test_a_missing_package_is_an_import_error_before_anything_is_written(tmp_path,
                                                                         monkeypatch):
    monkeypatch.setitem(sys.modules, "wandb", None)  # as if wandb were not installed
    with pytest.raises(ImportError, match=r"pip install 'spinup\[wandb\]'"):
        EpochLogger(output_dir=str(tmp_path / "run"), outputs=("csv", "wandb"))
    assert not (tmp_path / "run").exists()


def test_spinup_log_outputs_sets_the_default_for_a_process_tree(tmp_path, python_runner):
    code = """
import sys
from spinup.utils.logx import Logger
logger = Logger(output_dir=sys.argv[1])
logger.log_tabular("Epoch", 0)
logger.dump_tabular()
logger.close()
heavy = {"mlflow", "wandb", "tensorboardX", "torch", "tensorflow"} & set(sys.modules)
assert not heavy, "csv and jsonl import nothing heavy: %s" % heavy
"""
    python_runner(code, tmp_path / "child", env={"SPINUP_LOG_OUTPUTS": "csv jsonl"})
    assert sorted(os.listdir(tmp_path / "child")) == ["progress.csv", "progress.jsonl",
                                                      "progress.txt"]
    # An explicit choice wins over the environment.
    python_runner(code.replace("output_dir=sys.argv[1]", "output_dir=sys.argv[1], outputs=()"),
                  tmp_path / "explicit", env={"SPINUP_LOG_OUTPUTS": "csv jsonl"})
    assert os.listdir(tmp_path / "explicit") == ["progress.txt"]


def test_under_mpi_only_rank_0_writes_the_outputs(tmp_path, python_runner):
    code = """
import sys
from spinup.utils.logx import EpochLogger
from spinup.utils.mpi_tools import proc_id
logger = EpochLogger(output_dir=sys.argv[1], outputs=("csv", "jsonl"))
for epoch in range(3):
    logger.store(X=proc_id())
    logger.log_tabular("Epoch", epoch)
    logger.log_tabular("X")
    logger.dump_tabular()
logger.close()
"""
    python_runner(code, tmp_path, n=2)
    _, rows = read_csv(tmp_path / "progress.csv")
    assert rows == [[str(e), "0.5", "0.5"] for e in range(3)]
    assert [row["AverageX"] for row in read_jsonl(tmp_path / "progress.jsonl")] == [0.5] * 3


# --- TensorBoard ------------------------------------------------------------------

READ_EVENTS = """
import json, sys
sys.modules["tensorflow"] = None  # TensorBoard reads event files without TF (and fast)
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
events = EventAccumulator(sys.argv[1])
events.Reload()
print(json.dumps({tag: [(s.step, s.value) for s in events.Scalars(tag)]
                  for tag in events.Tags()["scalars"]}))
"""


@needs("tensorboardX", "tensorboard")
def test_tensorboard_output_is_read_back_by_tensorboard(tmp_path, python_runner):
    logger = EpochLogger(output_dir=str(tmp_path), outputs=["tensorboard"])
    log_epochs(logger, 3)
    logger.close()
    scalars = json.loads(python_runner(READ_EVENTS, tmp_path / "tb").stdout)
    assert {"AverageEpRet", "MaxEpRet", "EpLen", "Epoch"} <= set(scalars)
    assert scalars["AverageEpRet"] == [[100, 0.0], [200, 1.0], [300, 2.0]]


@needs("tensorboardX", "tensorboard")
def test_tensorboard_shows_each_step_once_after_a_resume(tmp_path, python_runner):
    logger = EpochLogger(output_dir=str(tmp_path), outputs=["tensorboard"])
    log_epochs(logger, 4)  # AverageEpRet 0, 1, 2, 3 at steps 100 ... 400
    logger.close()
    logger = EpochLogger(output_dir=str(tmp_path), outputs=["tensorboard"], resume=True)
    logger.rewind_progress(2)
    for epoch in (2, 3):  # redone, with other results
        logger.store(EpRet=10.0 * epoch, EpLen=1)
        logger.log_tabular("Epoch", epoch)
        logger.log_tabular("EpRet", with_min_and_max=True)
        logger.log_tabular("EpLen", average_only=True)
        logger.log_tabular("TotalEnvInteracts", 100 * (epoch + 1))
        logger.dump_tabular()
    logger.close()
    scalars = json.loads(python_runner(READ_EVENTS, tmp_path / "tb").stdout)
    assert scalars["AverageEpRet"] == [[100, 0.0], [200, 1.0], [300, 20.0], [400, 30.0]]


@needs("tensorboardX")
def test_tensorboard_flag_still_works_and_is_not_doubled(tmp_path):
    logger = Logger(output_dir=str(tmp_path), tensorboard=True, outputs=("tensorboard",))
    logger.log_tabular("Epoch", 0)
    logger.dump_tabular()
    logger.close()
    assert len(glob.glob(str(tmp_path / "tb" / "events.out.tfevents*"))) == 1


# --- MLflow -----------------------------------------------------------------------

MLFLOW_RUN = inspect.getsource(log_epochs) + """
import os, sys, warnings
from spinup.utils.logx import EpochLogger

logger = EpochLogger(output_dir=sys.argv[1], exp_name="mlx", outputs=["mlflow"])
logger.save_config({"lr": 0.1, "ac_kwargs": {"hidden_sizes": [64, 64]}, "seed": 0})
log_epochs(logger, 3)
logger.close()

# Resumed from the snapshot after epoch 1: the same MLflow run goes on.
logger = EpochLogger(output_dir=sys.argv[1], exp_name="mlx", outputs=["mlflow"], resume=True)
logger.save_config({"lr": 0.2, "resume": True})  # a parameter keeps its first value
logger.rewind_progress(2)
log_epochs(logger, 1, start=2)
logger.close()

# Failures cost a warning each, never the run.
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    # The MLflow run is deleted (in the UI, say) while training goes on.
    logger = EpochLogger(output_dir=sys.argv[1] + "_deleted", exp_name="mlx", outputs=["mlflow"])
    log_epochs(logger, 1)
    from mlflow import MlflowClient
    with open(os.path.join(sys.argv[1] + "_deleted", "mlflow_run_id.txt")) as f:
        MlflowClient().delete_run(f.read().strip())
    log_epochs(logger, 2, start=1)
    logger.close()
    # A tracking server that cannot be reached.
    os.environ.update(MLFLOW_TRACKING_URI="http://127.0.0.1:9",
                      MLFLOW_HTTP_REQUEST_MAX_RETRIES="0", MLFLOW_HTTP_REQUEST_TIMEOUT="5")
    logger = EpochLogger(output_dir=sys.argv[1] + "_offline", outputs=["mlflow"])
    log_epochs(logger, 2)
    logger.close()
for w in caught:
    print("WARNING:", w.message)
"""


def test_mlflow_output_is_a_real_run_and_its_failures_only_warn(tmp_path, python_runner):
    mlflow = pytest.importorskip("mlflow")
    pytest.importorskip("sqlalchemy")
    uri = "sqlite:///%s" % (tmp_path / "mlflow.db")
    proc = python_runner(MLFLOW_RUN, tmp_path / "run_s0", env={"MLFLOW_TRACKING_URI": uri},
                         timeout=240)

    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("mlx")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.run_name == "run_s0" and run.info.status == "FINISHED"
    assert run.data.params == {"lr": "0.1", "ac_kwargs:hidden_sizes": "[64, 64]",
                               "seed": "0", "exp_name": "mlx", "resume": "True"}
    history = client.get_metric_history(run.info.run_id, "AverageEpRet")
    # Epoch 2 was logged before and after the resume, with the same step.
    assert sorted((m.step, m.value) for m in history) == \
        [(100, 0.0), (200, 1.0), (300, 2.0), (300, 2.0)]
    assert set(run.data.metrics) >= {"Epoch", "MaxEpRet", "MinEpRet", "EpLen"}

    warned = [line for line in proc.stdout.splitlines() if line.startswith("WARNING:")]
    assert len(warned) == 2, warned  # once for each failing run, not once per row
    assert "'mlflow' output failed" in warned[0] and "deleted" in warned[0]
    assert "'mlflow' output failed" in warned[1] and "127.0.0.1:9" in warned[1]
    assert len(progress_txt(tmp_path / "run_s0_deleted" / "progress.txt")[1]) == 3
    assert len(progress_txt(tmp_path / "run_s0_offline" / "progress.txt")[1]) == 2


# --- Weights & Biases ------------------------------------------------------------

WANDB_RUN = inspect.getsource(log_epochs) + """
import sys
from spinup.utils.logx import EpochLogger

logger = EpochLogger(output_dir=sys.argv[1], exp_name="wbx", outputs=["wandb"])
logger.save_config({"lr": 0.1, "ac_kwargs": {"hidden_sizes": [64, 64]}})
log_epochs(logger, 3)
logger.close()
"""


def wandb_records(path):
    """The records of a .wandb file: LevelDB-style log blocks around W&B's protobufs."""
    from wandb.proto import wandb_internal_pb2

    data, block = open(path, "rb").read(), 32768
    records, pos, pending = [], 7, b""  # 7: the file's own header
    while pos + 7 <= len(data):
        room = block - pos % block
        length, kind = int.from_bytes(data[pos + 4:pos + 6], "little"), data[pos + 6]
        if room < 7 or (length == 0 and kind == 0):
            pos += room  # padding up to the next block
            continue
        pending += data[pos + 7:pos + 7 + length]
        pos += 7 + length
        if kind in (1, 4):  # a whole record, or the last piece of one
            record = wandb_internal_pb2.Record()
            record.ParseFromString(pending)
            records.append(record)
            pending = b""
    return records


def test_wandb_output_is_a_real_offline_run(tmp_path, python_runner):
    pytest.importorskip("wandb")
    out = tmp_path / "wbx_s0"
    python_runner(WANDB_RUN, out, timeout=240,
                  env={"WANDB_MODE": "offline", "WANDB_SILENT": "true"})
    (path,) = glob.glob(str(out / "wandb" / "offline-run-*" / "run-*.wandb"))
    records = wandb_records(path)
    (run,) = [r.run for r in records if r.WhichOneof("record_type") == "run"]
    assert (run.display_name, run.run_group, run.project) == ("wbx_s0", "wbx", "spinup")
    assert read(out / "wandb_run_id.txt").strip() == run.run_id
    config = {item.key: json.loads(item.value_json)
              for r in records if r.WhichOneof("record_type") == "config"
              for item in r.config.update}
    assert config["lr"] == 0.1 and config["ac_kwargs"] == {"hidden_sizes": [64, 64]}
    history = [{item.key or "/".join(item.nested_key): json.loads(item.value_json)
                for item in r.history.item}
               for r in records if r.WhichOneof("record_type") == "history"]
    assert [(h["TotalEnvInteracts"], h["AverageEpRet"], h["MaxEpRet"]) for h in history] == \
        [(100, 0.0, 0.0), (200, 1.0, 1.0), (300, 2.0, 2.0)]
