"""run_entrypoint: the fresh process every experiment runs in, and its tie
to the grid that started it."""
import base64
import glob
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zlib

import cloudpickle
import psutil
import pytest

from spinup.utils._grid import thunk_file as _thunk_file

# Thunks go by value, like those of a user's script.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

ENTRYPOINT = os.path.join(os.path.dirname(os.path.dirname(_thunk_file.__file__)),
                          "run_entrypoint.py")


def write_marker(path, text):
    with open(path, "w") as f:
        f.write(text)


def test_accepts_the_original_base64_argument(tmp_path):
    marker = str(tmp_path / "marker")
    # Encoded exactly as the original call_experiment did.
    encoded = base64.b64encode(zlib.compress(cloudpickle.dumps(
        lambda: write_marker(marker, "from argv")))).decode("utf-8")
    subprocess.run([sys.executable, ENTRYPOINT, encoded], check=True)
    assert open(marker).read() == "from argv"


def test_runs_a_thunk_file_and_leaves_it_to_its_owner(tmp_path):
    marker = str(tmp_path / "marker")
    path = _thunk_file.write(_thunk_file.dumps(lambda: write_marker(marker, "from file")))
    try:
        assert os.stat(path).st_mode & 0o777 == 0o600
        subprocess.run([sys.executable, ENTRYPOINT, path], check=True)
        assert open(marker).read() == "from file"
        assert os.path.exists(path)  # started by hand: the file stays with its writer
    finally:
        _thunk_file.remove(path)


@pytest.mark.parametrize("how", ["writable by others", "a link"])
def test_refuses_a_thunk_file_someone_else_could_have_written(how, tmp_path):
    marker = str(tmp_path / "marker")
    path = _thunk_file.write(_thunk_file.dumps(lambda: write_marker(marker, "ran")))
    try:
        given = path
        if how == "a link":
            given = str(tmp_path / "link.pkl")
            os.symlink(path, given)
        else:
            os.chmod(path, 0o622)
        proc = subprocess.run([sys.executable, ENTRYPOINT, given], capture_output=True,
                              text=True)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith("run_entrypoint: error: ")
        assert ("nobody else can write" in proc.stderr if how != "a link"
                else "a link is never followed" in proc.stderr)
        assert not os.path.exists(marker)  # nothing was unpickled
    finally:
        _thunk_file.remove(path)


def test_usage_error_without_an_argument():
    proc = subprocess.run([sys.executable, ENTRYPOINT], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage:") and "Traceback" not in proc.stderr


def test_thunks_can_use_modules_beside_the_users_script(tmp_path):
    # plot.py would be shadowed by spinup/utils/plot.py if the child kept
    # run_entrypoint's folder first on sys.path.
    (tmp_path / "plot.py").write_text(textwrap.dedent("""
        import json, os
        def train(seed, logger_kwargs, tag):
            os.makedirs(logger_kwargs['output_dir'])
            with open(os.path.join(logger_kwargs['output_dir'], 'tag.json'), 'w') as f:
                json.dump({'tag': tag, 'module': __file__}, f)
        """))
    (tmp_path / "script.py").write_text(textwrap.dedent("""
        import sys
        import plot
        from spinup.utils.run_utils import ExperimentGrid
        eg = ExperimentGrid('mine')
        eg.add('tag', ['a', 'b'])
        eg.run(plot.train, data_dir=sys.argv[1])
        """))
    subprocess.run([sys.executable, str(tmp_path / "script.py"), str(tmp_path / "data")],
                   check=True, capture_output=True, cwd="/")
    got = json.load(open(tmp_path / "data" / "mine_tagb" / "mine_tagb_s0" / "tag.json"))
    assert got == {"tag": "b", "module": str(tmp_path / "plot.py")}


# --- the grid's variants do not outlive the grid ---------------------------------

HEARTBEAT_GRID = textwrap.dedent("""
    import os, sys, time
    from spinup.utils.run_utils import ExperimentGrid

    def beat(seed, logger_kwargs, tag):
        out = logger_kwargs['output_dir']
        os.makedirs(out, exist_ok=True)
        while True:
            with open(os.path.join(out, 'beat_%d' % os.getpid()), 'a') as f:
                f.write('x')
            time.sleep(0.05)

    eg = ExperimentGrid('orphan')
    eg.add('tag', ['a', 'b'])
    eg.run(beat, data_dir=sys.argv[1], parallel=int(sys.argv[2]), num_cpu=int(sys.argv[3]))
    """)


def start_heartbeat_grid(tmp_path, parallel, num_cpu, beats):
    script = tmp_path / "grid.py"
    script.write_text(HEARTBEAT_GRID)
    data = str(tmp_path / "data")
    runner = subprocess.Popen([sys.executable, str(script), data, str(parallel), str(num_cpu)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    # Running: beating, and recorded as running by the grid.
    while (len(glob.glob(data + "/*/*/beat_*")) < beats
           or len(glob.glob(data + "/*/*/status.json")) < beats // num_cpu):
        assert time.time() < deadline and runner.poll() is None, "variants never started"
        time.sleep(0.1)
    family = psutil.Process(runner.pid).children(recursive=True)
    return runner, family, glob.glob(data + "/*/*/beat_*")


def living(procs):
    alive = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except psutil.NoSuchProcess:
            pass
    return alive


def assert_all_stop(family, beat_files):
    deadline = time.time() + 10
    while living(family) and time.time() < deadline:
        time.sleep(0.1)
    assert living(family) == []
    sizes = {f: os.path.getsize(f) for f in beat_files}
    time.sleep(0.5)
    assert {f: os.path.getsize(f) for f in beat_files} == sizes  # nobody writes any more


@pytest.mark.parametrize("parallel, num_cpu, beats", [(2, 1, 2), (1, 2, 2)],
                         ids=["two-variants-at-once", "mpi-variant"])
def test_sigkilled_grid_takes_its_variants_along(tmp_path, parallel, num_cpu, beats):
    runner, family, beat_files = start_heartbeat_grid(tmp_path, parallel, num_cpu, beats)
    names = {p.name() for p in family}
    if num_cpu > 1:
        assert "mpiexec" in names  # the MPI launcher and its ranks are in the family
    assert len(family) >= beats
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    assert_all_stop(family, beat_files)
    status = json.load(open(os.path.join(os.path.dirname(beat_files[0]), "status.json")))
    assert status["state"] == "running"  # stale: the runner died; resume reruns it


def test_ctrl_c_stops_running_variants_and_records_it(tmp_path):
    runner, family, beat_files = start_heartbeat_grid(tmp_path, 2, 1, 2)
    runner.send_signal(signal.SIGINT)
    assert runner.wait(timeout=30) != 0
    assert_all_stop(family, beat_files)
    for f in beat_files:
        status = json.load(open(os.path.join(os.path.dirname(f), "status.json")))
        assert status["state"] == "cancelled" and status["exit_code"] == -15
