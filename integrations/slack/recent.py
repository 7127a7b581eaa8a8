"""The requisitions behind recent answers, so that their buttons (Share, Refine) can find them.

A button's value holds at most 2,000 characters, less than a pasted posting, so the button
carries a key and the requisition stays here. Bounded: the oldest are forgotten first, and a
button whose requisition is gone says so.
"""
from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from typing import Optional

from whichrole.model import Requisition

REMEMBERED = 5_000


class RecentRequisitions:
    def __init__(self, size: int = REMEMBERED):
        self.size = size
        self._items: OrderedDict[str, Requisition] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, requisition: Requisition) -> str:
        key = secrets.token_urlsafe(12)
        with self._lock:
            self._items[key] = requisition
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return key

    def get(self, key: str) -> Optional[Requisition]:
        with self._lock:
            requisition = self._items.get(key)
            if requisition is not None:
                self._items.move_to_end(key)
            return requisition
