"""How hard to retry transient failures: exponential backoff with full jitter, Retry-After as a floor."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    #: attempts after the first failure before giving up
    retries: int = 8
    #: first backoff ceiling, seconds
    base_delay: float = 0.5
    #: largest backoff ceiling, seconds
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Full jitter keeps clients that failed together from retrying together; the server's wait is a floor."""
        ceiling = min(self.max_delay, self.base_delay * 2**attempt)
        return max(random.uniform(0, ceiling), retry_after or 0.0)


def is_transient_status(status: int) -> bool:
    """Rate limited, or the server or a proxy failed: worth another try."""
    return status in (408, 429) or status >= 500
