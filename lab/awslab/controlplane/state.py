"""Read access to moto's in-process state, and the lock that serialises every change to it.

Request threads hold LOCK while moto handles a request; the scheduler holds it while applying a delayed
transition. Readers in the same process (the data plane) should hold it while walking backends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

LOCK = threading.RLock()


def iter_backends(service: str) -> Iterator[tuple[str, str, Any]]:
    """Yield (account, region, backend) for every account/region moto holds state for."""
    from moto.backends import get_backend

    backend_dict = get_backend(service)  # type: ignore[call-overload]
    for account_id in list(backend_dict.keys()):
        regions = backend_dict[account_id]
        for region in list(regions.keys()):
            yield account_id, region, regions[region]
