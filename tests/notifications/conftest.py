"""Fixtures for the notification tests: a clock that starts at NOW."""

import pytest
import time_machine

from tests.lots.helpers import NOW


@pytest.fixture
def at_now():
    """The test runs on a clock that starts at NOW (Thursday 3 December 2026, 10:00 UTC) and
    ticks on. Tests that publish an opportunity at NOW (its deadline is 18 December 2026) and then
    run its jobs need the jobs to run while it is open, whatever the real date. Processes the test
    starts get this clock through ``tests.clock.subprocess_env``."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller
