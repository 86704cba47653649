"""A rate limit shared by every worker, kept in Redis: GOV.UK Notify accepts at most 3,000
requests a minute from a service (its API rate limit), however many workers send.

A fixed window per period: each send takes a number from the window's counter; past the limit,
the worker waits for the next window. Cheap (one INCR per send), and two workers can never
together exceed the limit in a window.
"""

import time


class SharedRateLimit:
    def __init__(self, redis, key, limit, period_seconds=60, clock=time.time, sleep=time.sleep):
        if limit < 1 or period_seconds <= 0:
            raise ValueError("limit and period must be positive")
        self.redis, self.key, self.limit, self.period = redis, key, limit, period_seconds
        self.clock, self.sleep = clock, sleep

    def acquire(self):
        """Wait until this send fits in a window; returns the seconds waited."""
        waited = 0.0
        while True:
            now = self.clock()
            window = int(now // self.period)
            counter = f"{self.key}:{window}"
            taken = self.redis.incr(counter)
            if taken == 1:
                self.redis.expire(counter, int(self.period * 2) + 1)
            if taken <= self.limit:
                return waited
            pause = (window + 1) * self.period - now
            self.sleep(pause)
            waited += pause
