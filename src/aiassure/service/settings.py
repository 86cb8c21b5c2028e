"""How one service runs: its registry, limits and rubric search path, passed to each worker process as JSON."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import clock
from ..assessments.score_files import ScoreOptions
from ..clock import Calendar
from ..source import DEFAULT_MAX_BYTES

ENV_SETTINGS = "AIASSURE_SERVICE_SETTINGS"


@dataclass(frozen=True)
class Settings:
    db: str | None = None  # None: AIASSURE_DB, else sqlite:///aiassure.db
    rubric_dirs: tuple[str, ...] = ()
    strict: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    # Requests per minute per token (per client address before a token is recognised), with a
    # burst of as many; shared out between the worker processes, each of which counts its own.
    rate_per_minute: int = 600
    workers: int = 1
    body_timeout_seconds: float = 30.0
    forwarded_allow_ips: list[str] = field(default_factory=lambda: ["127.0.0.1"])
    # `aiassure --today` and `--round-margin` as given (None: AIASSURE_TODAY and
    # AIASSURE_ROUND_MARGIN, else the clock and one round), read again for every request.
    today: str | None = None
    round_margin: int | None = None

    def calendar(self) -> Calendar:
        """Today and the round margin of one request: a service runs across midnight."""
        return clock.calendar(self.today, self.round_margin)

    @property
    def score_options(self) -> ScoreOptions:
        """What one request validates and scores with (its calendar made now)."""
        return ScoreOptions(tuple(Path(d) for d in self.rubric_dirs), self.strict, self.max_bytes, self.calendar())

    @property
    def rate_per_worker(self) -> float:
        return max(self.rate_per_minute / max(self.workers, 1), 1.0)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> Settings:
        raw = json.loads(os.environ.get(ENV_SETTINGS) or "{}")
        raw["rubric_dirs"] = tuple(raw.get("rubric_dirs", ()))
        return cls(**raw)
