"""Run one serialised experiment in this, fresh, Python process.

``call_experiment`` starts every experiment as::

    python run_entrypoint.py /tmp/spinup-thunk-XXXX.pkl

where the file (mode 0600) holds the pickled callable. A fresh process per
experiment means no state leaks from one experiment into the next. The
original form, with the callable on the command line as
base64(zlib(cloudpickle)), is still accepted::

    python run_entrypoint.py eJyNU01v2zAM...

When this process was started by the grid (``SPINUP_PARENT_PID`` is set) it
does not outlive its parent: if the grid runner dies, even from SIGKILL,
this process kills everything it started (an MPI job, for instance) and
exits. The ranks of an MPI job started by ``mpi_fork`` are tied to their own
launcher the same way.

Only light modules are imported before the thunk runs (no numpy, no
TensorFlow, no PyTorch, no Ray), so an experiment starts quickly.
"""

__all__ = ["main"]

import os
import signal
import sys
import threading
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
_PARENT_PID_VAR = "SPINUP_PARENT_PID"  # see spinup.utils._grid.trial
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_WATCH_INTERVAL = 0.25

USAGE = ("usage: python -m spinup.utils.run_entrypoint THUNK\n"
         "  THUNK: a thunk file written by spinup.utils.run_utils.call_experiment,\n"
         "         or the callable as base64(zlib(cloudpickle)) text.")


def _fix_sys_path() -> None:
    # Run as a script, this file's folder comes first on sys.path, and its
    # modules (plot, logx, experiment...) would shadow a user's modules of
    # the same names. The package itself stays importable from the end.
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == _HERE:
        sys.path.pop(0)
    root = os.path.dirname(os.path.dirname(_HERE))
    if root not in sys.path:
        sys.path.append(root)


def _descendants() -> list:
    """Pids of all our descendants, from /proc (psutil elsewhere)."""
    if not os.path.isdir("/proc/self/task"):
        import psutil
        return [p.pid for p in psutil.Process().children(recursive=True)]
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as f:
                stat = f.read()
        except OSError:
            continue  # it just ended
        # The command name, in parentheses, may itself hold spaces.
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [os.getpid()]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _kill_descendants() -> None:
    for _ in range(2):  # a second pass catches what was forked meanwhile
        try:
            pids = _descendants()
        except Exception:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _set_parent_death_signal(sig: int) -> None:
    if not sys.platform.startswith("linux"):
        return  # the watchdog thread alone covers other systems
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _tie_to_parent(cleanup) -> bool:
    """Die with our parent. Returns whether we were tied.

    Two mechanisms, because either alone has a gap: the kernel sends SIGTERM
    the moment the parent dies (prctl PR_SET_PDEATHSIG, Linux only), but a
    Python signal handler waits while the main thread is inside a long C
    call; a watchdog thread that polls our parent pid covers that, and other
    systems.
    """
    expected = os.environ.pop(_PARENT_PID_VAR, None)  # not for our own children
    if expected is None and os.environ.get("IN_MPI") is None:
        return False  # started by hand: nothing to tie to
    parent = os.getppid()

    def die_now():
        _kill_descendants()
        cleanup()
        os._exit(128 + signal.SIGTERM)

    def on_sigterm(*_):
        # Same end as the default SIGTERM action (status -15), after
        # taking our descendants with us. A second SIGTERM must not
        # interrupt the first one's work.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _kill_descendants()
        cleanup()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        os._exit(128 + signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_sigterm)
    _set_parent_death_signal(signal.SIGTERM)
    if (expected is not None and int(expected) != parent) or os.getppid() != parent:
        die_now()  # the parent died before we were tied to it

    def watch():
        while True:
            time.sleep(_WATCH_INTERVAL)
            if os.getppid() != parent:
                die_now()

    threading.Thread(target=watch, name="spinup-parent-watchdog", daemon=True).start()
    return True


def main(argv=None) -> None:
    """Load the thunk named on the command line and call it."""
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr)
        sys.exit(2)
    arg = args[0]
    _fix_sys_path()
    from spinup.utils._grid import thunk_file as _thunk_file

    is_file = os.path.isfile(arg)
    # Only the process the grid started owns the thunk file (the ranks of an
    # MPI job read it too, and mpi_fork waits for them before returning).
    owner = os.environ.get(_PARENT_PID_VAR) is not None and is_file
    cleanup = (lambda: _thunk_file.remove(arg)) if owner else (lambda: None)
    _tie_to_parent(cleanup)
    try:
        try:
            thunk = _thunk_file.load(arg) if is_file else _thunk_file.decode_argv(arg)
        except _thunk_file.ThunkFileError as e:
            print("run_entrypoint: error: %s" % e, file=sys.stderr)
            sys.exit(2)
        thunk()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
