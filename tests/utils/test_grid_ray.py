"""ExperimentGrid on Ray: a real head started with ``ray start --head`` on
127.0.0.1, reached through its address, stopped afterwards."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap

import psutil
import pytest

RAY = os.path.join(os.path.dirname(sys.executable), "ray")
pytestmark = pytest.mark.skipif(not os.path.exists(RAY), reason="ray is not installed")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_head(temp_dir, port):
    """Stop the processes of this head only (``ray stop`` would stop every
    Ray cluster of this user on the machine)."""
    mine = set()
    for p in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(p.info["cmdline"] or [])
        if temp_dir in cmdline or ":%d" % port in cmdline:
            mine.add(p)
            try:
                mine.update(p.children(recursive=True))
            except psutil.Error:
                pass
    for p in mine:
        try:
            p.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(list(mine), timeout=10)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass


@pytest.fixture(scope="module")
def ray_address():
    port = free_port()
    temp_dir = tempfile.mkdtemp(prefix="rg", dir="/tmp")  # short: socket paths
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    env.pop("RAY_ADDRESS", None)
    cmd = [RAY, "start", "--head", "--node-ip-address=127.0.0.1", "--port=%d" % port,
           "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats",
           "--temp-dir=" + temp_dir, "--ray-client-server-port=%d" % free_port(),
           "--dashboard-port=%d" % free_port(),
           "--dashboard-agent-listen-port=%d" % free_port()]
    try:
        subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=180)
        yield "127.0.0.1:%d" % port
    finally:
        stop_head(temp_dir, port)
        shutil.rmtree(temp_dir, ignore_errors=True)


DRIVER = textwrap.dedent("""
    import os, sys
    from spinup.utils.run_utils import ExperimentGrid, GridRunError

    def train(seed, logger_kwargs, lr, fail_flag):
        out = logger_kwargs['output_dir']
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, 'progress.txt'), 'w') as f:
            f.write('Epoch\\tAverageEpRet\\n0\\t%s\\n' % (10 * lr))
        with open(os.path.join(out, 'worker.txt'), 'a') as f:
            f.write('%d\\n' % os.getppid())
        if lr == 3 and os.path.exists(fail_flag):
            raise RuntimeError('lr=3 diverged')

    eg = ExperimentGrid('ray')
    eg.add('lr', [1, 2, 3])
    eg.add('fail_flag', sys.argv[3])
    try:
        eg.run(train, data_dir='data', backend='ray', address=sys.argv[1],
               parallel='auto', resume=sys.argv[2] == 'resume')
    except GridRunError as e:
        print('FAILED:', e.failed)
        sys.exit(3)
    """)


def run_driver(tmp_path, address, mode):
    (tmp_path / "driver.py").write_text(DRIVER)
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    env.pop("RAY_ADDRESS", None)
    return subprocess.run([sys.executable, "driver.py", address, mode,
                           str(tmp_path / "fail_flag")],
                          cwd=str(tmp_path), capture_output=True, text=True, env=env,
                          timeout=180)


def status_of(tmp_path, lr):
    d = tmp_path / "data" / ("ray_lr%d" % lr) / ("ray_lr%d_s0" % lr)
    return json.load(open(d / "status.json")), (d / "worker.txt").read_text().split()


def test_grid_on_a_ray_cluster_then_resume(tmp_path, ray_address):
    (tmp_path / "fail_flag").write_text("")
    proc = run_driver(tmp_path, ray_address, "first")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "FAILED: ['ray_lr3']" in proc.stdout
    summary = proc.stdout[proc.stdout.index("Summary of ExperimentGrid [ray]"):]
    assert "ray_lr1  finished" in summary and "ray_lr3  failed (exit 1)" in summary
    # data_dir was relative: the workers wrote where the driver runs
    assert str(tmp_path / "data" / "ray_lr2" / "ray_lr2_s0") in summary
    workers = []
    for lr in (1, 2, 3):
        status, worker = status_of(tmp_path, lr)
        assert status["state"] == ("failed" if lr == 3 else "finished")
        assert status["host"] == socket.gethostname() and status["attempt"] == 1
        workers += worker
    assert len(set(workers)) == 3  # a fresh Ray worker for every variant

    (tmp_path / "fail_flag").unlink()
    proc = run_driver(tmp_path, ray_address, "resume")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 of 3 variants finished before and are skipped" in proc.stdout
    status, worker = status_of(tmp_path, 3)
    assert status["state"] == "finished" and status["attempt"] == 2 and len(worker) == 2
    assert len(status_of(tmp_path, 1)[1]) == 1  # not rerun
