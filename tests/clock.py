"""The tests' clock, and the same clock for the processes a test starts.

``TEST_CLOCK_AHEAD_DAYS=365 pytest ...`` runs the whole session with the clock that many days
ahead of the real one (and ticking), so that a test which only passes before some date fails the
day it is written rather than the day that date goes by. Tests that travel in time themselves
(``time_machine.travel``) still do: their travel nests inside the session's.

time-machine moves the clock of its own process only. A test that starts a process (a
``flask worker``) starts it through this module, which gives it the clock of the test at that
moment, ticking on from there::

    subprocess.Popen(flask_command("worker", "--burst"), env=subprocess_env(env))
"""

import os
import sys
import time
from datetime import datetime, timedelta, timezone

import time_machine

AHEAD_ENV = "TEST_CLOCK_AHEAD_DAYS"
OFFSET_ENV = "TEST_CLOCK_OFFSET_SECONDS"


def _real_time():
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()


def real_now():
    """The real time, whatever time-machine is doing."""
    return datetime.fromtimestamp(_real_time(), timezone.utc)


def ahead_days():
    return float(os.environ.get(AHEAD_ENV) or 0)


def start_session_clock():
    """Move this process's clock ``TEST_CLOCK_AHEAD_DAYS`` ahead; returns the travel to stop, or
    None when the variable is unset or 0."""
    days = ahead_days()
    if not days:
        return None
    travel = time_machine.travel(real_now() + timedelta(days=days), tick=True)
    travel.start()
    return travel


def offset_seconds():
    """How far this process's clock is from the real one at this moment."""
    return time.time() - _real_time()


def subprocess_env(env=None):
    """``env`` (default: this process's) plus this process's clock, for ``flask_command``."""
    return {**(os.environ if env is None else env), OFFSET_ENV: repr(offset_seconds())}


def flask_command(*args):
    """The command line that runs ``flask --app wsgi <args>`` on the clock ``subprocess_env``
    gave it (run from the project's root, where ``tests`` is importable)."""
    return [sys.executable, "-m", "tests.clock", "--app", "wsgi", *args]


def main(argv):
    offset = float(os.environ.get(OFFSET_ENV) or 0)
    if offset:
        # Forked processes (RQ's scheduler) inherit the patched clock.
        time_machine.travel(real_now() + timedelta(seconds=offset), tick=True).start()
    from flask.cli import cli

    cli.main(args=argv, prog_name="flask")


if __name__ == "__main__":
    main(sys.argv[1:])
