"""The Run page's queue: at most ``--max-runs`` runs at once, up to ``--max-queued`` waiting.

The queue lives in the serving process (waitress serves with threads, so every request
sees it). A click on Run joins the queue and gets a ticket; the page asks for its ticket's
position every second, and the ticket at the head is admitted as soon as a run slot is
free. Only then does the page start the background run, so nothing is forked for a run
that waits. The forked run claims a slot (``RunSlots``) and leaves a mark with its ticket;
the queue counts an admitted ticket as a running run until that mark appears, or until
``ADMIT_TIMEOUT`` passes (the page never started it). A waiting ticket that is not asked
about for ``STALE_AFTER`` seconds (the page was closed) leaves the queue.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from dashboards.slots import RunSlots

STALE_AFTER = 10.0
"""Seconds after which a waiting ticket nobody asks about leaves the queue."""
ADMIT_TIMEOUT = 60.0
"""Seconds an admitted ticket holds its place without its run starting."""
CLAIM_WAIT = 5.0
"""Seconds an admitted run waits for its slot (the queue probes slots briefly)."""


class QueueFullError(Exception):
    """Every run slot is busy and the queue holds ``max_queued`` waiting runs."""


class RunQueue:
    """A bounded first-in, first-out queue in front of ``slots``.

    Args:
        slots: The run slots (their ``limit`` is the most runs at once).
        max_queued: The most runs that wait; a run beyond them is refused.
    """

    def __init__(self, slots: RunSlots, max_queued: int):
        self.slots = slots
        self.max_queued = max_queued
        self._waiting: deque[str] = deque()
        self._asked: dict[str, float] = {}
        self._admitted: dict[str, float] = {}
        self._lock = threading.Lock()

    def join(self) -> str:
        """A new ticket at the end of the queue (admitted at once when a slot is free).

        Raises:
            QueueFullError: When ``max_queued`` runs already wait.
        """
        with self._lock:
            self._forget_stale()
            if len(self._waiting) >= self.max_queued and (self._waiting or not self._free()):
                raise QueueFullError(
                    f"Busy: {self.slots.limit} run(s) are going and {len(self._waiting)} "
                    f"wait, the most this dashboard allows (simfraud dashboard --max-runs "
                    f"{self.slots.limit} --max-queued {self.max_queued}). Try again when "
                    "one ends.")
            ticket = secrets.token_hex(16)
            self._waiting.append(ticket)
            self._asked[ticket] = time.monotonic()
            return ticket

    def waiting(self, ticket: object) -> bool:
        """Whether ``ticket`` (any value a request carried) waits in the queue."""
        with self._lock:
            return isinstance(ticket, str) and ticket in self._asked

    def position(self, ticket: str) -> int:
        """The ticket's place in the queue (1 is next), or 0 once it is admitted to run.

        Raises:
            KeyError: When the ticket is not in the queue (never was, or left it).
        """
        with self._lock:
            self._forget_stale()
            if ticket in self._admitted:
                return 0
            if ticket not in self._asked:
                raise KeyError(ticket)
            self._asked[ticket] = time.monotonic()
            if self._waiting[0] == ticket and self._free() > 0:
                self._waiting.popleft()
                del self._asked[ticket]
                self._admitted[ticket] = time.monotonic()
                return 0
            return self._waiting.index(ticket) + 1

    @contextmanager
    def start(self, ticket: object) -> Iterator[bool]:
        """In the forked run: hold a slot for the block if ``ticket`` was admitted.

        Yields False (holding nothing) for a ticket that was not admitted or when no slot
        frees within ``CLAIM_WAIT`` seconds. Reads this process's copy of the queue only.
        """
        if not isinstance(ticket, str) or ticket not in self._admitted:
            yield False
            return
        with self.slots.claim(wait=CLAIM_WAIT) as claimed:
            if claimed:
                (self.slots.folder / f"started-{ticket}").touch()
            yield claimed

    def _free(self) -> int:
        """Slots neither held by a run nor promised to an admitted ticket."""
        now = time.monotonic()
        for ticket, since in list(self._admitted.items()):
            mark = self.slots.folder / f"started-{ticket}"
            if mark.exists() or now - since > ADMIT_TIMEOUT:
                mark.unlink(missing_ok=True)
                del self._admitted[ticket]
        return self.slots.limit - self.slots.held() - len(self._admitted)

    def _forget_stale(self) -> None:
        now = time.monotonic()
        for ticket in [t for t, asked in self._asked.items() if now - asked > STALE_AFTER]:
            self._waiting.remove(ticket)
            del self._asked[ticket]
