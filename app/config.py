"""Settings per environment (dynaconf) validated into typed models (pydantic).

``CEX_ENV`` picks the environment (default ``development``); ``CEX_`` variables override any key, nested
with ``__`` (``CEX_EXCHANGES__GATEIO__REST_URL=...``). Credentials are ``SecretStr`` from the moment they
are read, so they never show in a repr, a log line or a config dump.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from app.domain.enums import ExchangeEnum
from app.errors import ConfigurationError, CredentialsRequiredError

SETTINGS_DIR = Path(os.environ.get("CEX_SETTINGS_DIR", Path(__file__).resolve().parents[1] / "settings"))
ENVIRONMENTS = ("development", "testing", "production")


class ExchangeCredentials(BaseModel):
    """API key, secret and (Gate futures) user id. Never printed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = None
    api_secret: SecretStr | None = None
    uid: str | None = None

    @property
    def has_private_api(self) -> bool:
        return bool(
            self.api_key and self.api_secret and self.api_key.get_secret_value() and self.api_secret.get_secret_value()
        )

    def __repr__(self) -> str:
        return f"ExchangeCredentials(has_private_api={self.has_private_api})"

    __str__ = __repr__


class RateLimitConfig(BaseModel):
    """Client-side request budgets (requests per window). Defaults are the venue's documented limits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    public_per_10s: int = Field(200, ge=1, le=100_000)
    private_per_10s: int = Field(200, ge=1, le=100_000)
    orders_per_second: int = Field(10, ge=1, le=10_000)
    cancels_per_second: int = Field(200, ge=1, le=10_000)


def _check_url(value: str, schemes: tuple[str, ...], what: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"malformed {what} URL {value!r}: expected {' or '.join(schemes)}://host[:port]/path")
    try:
        _ = parts.port
    except ValueError as exc:
        raise ValueError(f"malformed {what} URL {value!r}: {exc}") from None
    return value.rstrip("/") if what == "REST" else value


class ExchangeConfig(BaseModel):
    """Everything one venue needs: identity, credentials, endpoints, timeouts, limits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ExchangeEnum
    credentials: ExchangeCredentials = ExchangeCredentials()
    rest_url: str
    ws_url: str
    private_ws_url: str | None = None
    request_timeout_s: float = Field(10.0, gt=0, le=120)
    connect_timeout_s: float = Field(5.0, gt=0, le=60)
    recv_window_ms: int = Field(5000, ge=1, le=60_000)
    max_retries: int = Field(2, ge=0, le=10)
    ws_backend: Literal["aiohttp", "websockets"] = "aiohttp"
    # REST client: "aiohttp" (default, proven against the live venues) or "lean" (app/transport/http_lean.py:
    # HTTP/1.1 keep-alive on asyncio.Protocol, about half the client CPU per request; no proxy support).
    rest_backend: Literal["aiohttp", "lean"] = "aiohttp"
    ws_ping_interval_s: float = Field(10.0, gt=0, le=300)
    ws_idle_timeout_s: float = Field(30.0, gt=0, le=600)
    ws_reconnect_max_delay_s: float = Field(5.0, gt=0, le=300)
    book_depth: int = Field(100, ge=1, le=1000)
    private_enabled: bool = True
    rate_limits: RateLimitConfig = RateLimitConfig()

    @field_validator("rest_url")
    @classmethod
    def _rest_url(cls, value: str) -> str:
        return _check_url(value, ("http", "https"), "REST")

    @field_validator("ws_url", "private_ws_url")
    @classmethod
    def _ws_url(cls, value: str | None) -> str | None:
        return None if value is None else _check_url(value, ("ws", "wss"), "WebSocket")

    @model_validator(mode="before")
    @classmethod
    def _lift_credentials(cls, data: Any) -> Any:
        """Accept ``api_key``/``api_secret``/``uid`` beside the other keys (the settings-file form)."""
        if isinstance(data, dict):
            data = dict(data)
            lifted = {k: data.pop(k) for k in ("api_key", "api_secret", "uid") if k in data}
            lifted = {k: (str(v) if v not in (None, "") else None) for k, v in lifted.items()}
            if lifted:
                creds = data.get("credentials") or {}
                if isinstance(creds, ExchangeCredentials):
                    creds = {
                        "api_key": creds.api_key,
                        "api_secret": creds.api_secret,
                        "uid": creds.uid,
                    }
                data["credentials"] = {**creds, **lifted}
        return data

    def has_credentials(self) -> bool:
        return self.credentials.has_private_api

    def public_view(self) -> ExchangeConfig:
        """A copy without credentials: what public (market data) objects are given."""
        return self.model_copy(update={"credentials": ExchangeCredentials()})

    @property
    def private_ws(self) -> str:
        return self.private_ws_url or self.ws_url

    def require_credentials(self) -> ExchangeCredentials:
        """Return the credentials or raise :class:`CredentialsRequiredError` naming the key."""
        if not self.has_credentials():
            raise CredentialsRequiredError(
                "API credentials (api_key and api_secret) are required for the private domain",
                key=f"exchanges.{self.name.value}",
            )
        return self.credentials


class SimulatorSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(0, ge=0, le=65535)
    seed: int = 7
    # fault injection (app.simulator.faults.FaultPlan): top-level keys plus one table per venue ("all" = every one)
    faults: dict[str, Any] = Field(default_factory=dict)

    @field_validator("faults")
    @classmethod
    def _faults(cls, value: dict[str, Any]) -> dict[str, Any]:
        from app.simulator.faults import parse_plan

        try:
            parse_plan(value)
        except PydanticValidationError as exc:
            raise ValueError(_format_pydantic(exc)) from None
        return value


class TelemetrySettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    exporter: Literal["none", "console", "otlp", "memory"] = "none"
    otlp_endpoint: str | None = None
    service_name: str = "cex-arb"
    # metrics export period for console / otlp (the /metrics endpoint is always read on demand)
    export_interval_s: float = Field(10.0, gt=0, le=3600)
    # GET /health and GET /metrics of `cex-arb run`; None = off (the default; `--serve-port` turns it on)
    serve_port: int | None = Field(None, ge=0, le=65535)
    serve_host: str = "127.0.0.1"
    # health: a stream whose last message is older than this is not fresh (per-venue overrides beside it)
    stream_max_age_s: float = Field(10.0, gt=0, le=3600)
    stream_max_age_by_venue: dict[ExchangeEnum, float] = {}
    # health: a key whose recent REST / stream error rate exceeds this is not healthy
    max_error_rate: float = Field(0.5, ge=0, le=1)
    error_window: int = Field(100, ge=1, le=100_000)  # recent calls the error rate is computed over
    trace_cache_hits: bool = False  # a span per cached provider lookup (off: spans for creations only)

    def stream_max_age(self, venue: str) -> float:
        """The freshness threshold of ``venue``'s streams (seconds)."""
        for name, value in self.stream_max_age_by_venue.items():
            if name.value == venue:
                return value
        return self.stream_max_age_s


class MonitorSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    symbols: list[str] = ["BTC/USDT", "ETH/USDT"]
    venues: list[ExchangeEnum] = [ExchangeEnum.GATEIO, ExchangeEnum.GATEIO_FUTURES, ExchangeEnum.MEXC]
    threshold_bps: float = Field(5.0, ge=0, le=10_000)
    size_quote: float = Field(100.0, gt=0)
    refresh_s: float = Field(1.0, gt=0, le=60)
    depth_levels: int = Field(20, ge=1, le=1000)  # book levels walked for the trade size
    recompute_interval_s: float = Field(0.01, gt=0, le=10)  # spread recompute throttle
    max_book_age_s: float = Field(5.0, gt=0, le=300)  # an unchanged book older than this is not acted on
    max_position_quote: float = Field(1000.0, gt=0)  # |inventory| per venue and symbol (execute)
    cooldown_s: float = Field(0.5, ge=0, le=3600)  # between executions of one venue pair and symbol
    rebalance_slippage_bps: float = Field(30.0, ge=0, le=1000)


class AppSettings(BaseModel):
    """The validated settings of one environment."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    env: str = "development"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    exchanges: dict[ExchangeEnum, ExchangeConfig]
    simulator: SimulatorSettings = SimulatorSettings()
    telemetry: TelemetrySettings = TelemetrySettings()
    monitor: MonitorSettings = MonitorSettings()

    @model_validator(mode="before")
    @classmethod
    def _name_exchanges(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("exchanges"), dict):
            data = dict(data)
            data["exchanges"] = {
                key: ({"name": key, **value} if isinstance(value, dict) else value)
                for key, value in data["exchanges"].items()
            }
        return data

    def exchange(self, exchange: ExchangeEnum | str) -> ExchangeConfig:
        try:
            return self.exchanges[ExchangeEnum(exchange)]
        except (KeyError, ValueError):
            raise ConfigurationError("no settings for this exchange", key=f"exchanges.{exchange}") from None

    def with_exchange(self, config: ExchangeConfig) -> AppSettings:
        """Return a copy with one exchange's config replaced (e.g. pointed at the simulator)."""
        return self.model_copy(update={"exchanges": {**self.exchanges, config.name: config}})

    def check_production_credentials(self) -> None:
        """In production a private domain that is enabled needs credentials: fail naming the key."""
        if self.env != "production" or self.simulator.enabled:
            return
        for name, cfg in self.exchanges.items():
            if cfg.private_enabled and not cfg.has_credentials():
                raise CredentialsRequiredError(
                    "private domain enabled without api_key/api_secret in production "
                    "(set them in settings/.secrets.toml or CEX_EXCHANGES__...__API_KEY, "
                    "or set private_enabled = false)",
                    key=f"exchanges.{name.value}.api_key",
                )


def _format_pydantic(exc: PydanticValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(p) for p in first["loc"] if p != "__root__")
    return f"{key}: {first['msg']}"


def validate_settings(raw: dict[str, Any], *, require_private_credentials: bool = True) -> AppSettings:
    """Validate a plain dict into :class:`AppSettings`; one :class:`ConfigurationError` naming the key."""
    try:
        settings = AppSettings.model_validate(raw)
    except PydanticValidationError as exc:
        raise ConfigurationError(f"invalid settings: {_format_pydantic(exc)}") from None
    if require_private_credentials:  # False: a read-only run (`cex-arb run` without --execute) may lack them
        settings.check_production_credentials()
    return settings


def _lower_keys(value: Any) -> Any:
    """dynaconf keeps the case of keys first seen in an environment variable (``API_KEY``): fold them."""
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def load_settings(
    env: str | None = None, settings_dir: Path | None = None, *, require_private_credentials: bool = True
) -> AppSettings:
    """Read ``settings/settings.toml`` (+ ``.secrets.toml``) for ``env`` (default ``$CEX_ENV``)."""
    from dynaconf import Dynaconf

    env = (env or os.environ.get("CEX_ENV") or "development").lower()
    if env not in ENVIRONMENTS:
        raise ConfigurationError(f"unknown environment {env!r}; expected one of {ENVIRONMENTS}", key="CEX_ENV")
    folder = settings_dir or SETTINGS_DIR
    dyna = Dynaconf(
        envvar_prefix="CEX",
        settings_files=[str(folder / "settings.toml"), str(folder / ".secrets.toml")],
        environments=True,
        env_switcher="CEX_ENV",
        env=env,
        merge_enabled=True,
        load_dotenv=False,
    )
    raw = _lower_keys({k: v for k, v in dyna.as_dict().items() if k.upper() != "ENV"})
    raw["env"] = env
    return validate_settings(raw, require_private_credentials=require_private_credentials)
