"""Settings per environment: dynaconf files, CEX_ overrides, validation naming the key, secrets hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ExchangeConfig, load_settings, validate_settings
from app.domain.enums import ExchangeEnum
from app.errors import ConfigurationError, CredentialsRequiredError


def _gate(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {"rest_url": "https://api.gateio.ws/api/v4", "ws_url": "wss://api.gateio.ws/ws/v4/"}
    return {**base, **overrides}


def test_development_uses_the_simulator_and_production_the_real_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CEX_EXCHANGES__GATEIO__API_KEY", "k")
    monkeypatch.setenv("CEX_EXCHANGES__GATEIO__API_SECRET", "s")
    monkeypatch.setenv("CEX_EXCHANGES__MEXC__API_KEY", "k")
    monkeypatch.setenv("CEX_EXCHANGES__MEXC__API_SECRET", "s")
    monkeypatch.setenv("CEX_EXCHANGES__GATEIO_FUTURES__API_KEY", "k")
    monkeypatch.setenv("CEX_EXCHANGES__GATEIO_FUTURES__API_SECRET", "s")
    dev = load_settings("development")
    prod = load_settings("production")
    assert dev.simulator.enabled is True
    assert prod.simulator.enabled is False
    assert prod.exchange(ExchangeEnum.GATEIO).rest_url == "https://api.gateio.ws/api/v4"


def test_env_switcher_and_nested_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CEX_ENV", "testing")
    monkeypatch.setenv("CEX_EXCHANGES__GATEIO__RECV_WINDOW_MS", "7000")
    settings = load_settings()
    assert settings.env == "testing"
    assert settings.log_level == "WARNING"
    assert settings.exchange("gateio").recv_window_ms == 7000


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"rest_url": "ftp://api.gateio.ws"}, "exchanges.gateio.rest_url"),
        ({"ws_url": "https://not-a-ws"}, "exchanges.gateio.ws_url"),
        ({"request_timeout_s": 0}, "exchanges.gateio.request_timeout_s"),
        ({"recv_window_ms": 600_000}, "exchanges.gateio.recv_window_ms"),
    ],
)
def test_malformed_values_fail_with_one_error_naming_the_key(override: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        validate_settings({"exchanges": {"gateio": _gate(**override)}})
    assert key in str(err.value)


def test_private_domain_in_production_needs_credentials() -> None:
    with pytest.raises(CredentialsRequiredError, match=r"exchanges\.gateio\.api_key") as err:
        validate_settings({"env": "production", "exchanges": {"gateio": _gate()}})
    assert isinstance(err.value, ValueError)
    ok = validate_settings({"env": "production", "exchanges": {"gateio": _gate(private_enabled=False)}})
    assert ok.exchange("gateio").private_enabled is False


def test_unknown_environment_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="CEX_ENV"):
        load_settings("staging")


def test_credentials_never_show_in_repr_or_dump(tmp_path: Path) -> None:
    config = ExchangeConfig.model_validate(
        {"name": "gateio", **_gate(api_key="AKIA-very-secret-key", api_secret="shh-secret-value")}
    )
    assert config.has_credentials()
    assert config.credentials.has_private_api
    for text in (repr(config), str(config), config.model_dump_json(), repr(config.model_dump())):
        assert "AKIA-very-secret-key" not in text
        assert "shh-secret-value" not in text
    assert config.credentials.api_secret is not None
    assert config.credentials.api_secret.get_secret_value() == "shh-secret-value"


def test_require_credentials_raises_a_value_error_naming_the_exchange() -> None:
    config = ExchangeConfig.model_validate({"name": "gateio", **_gate()})
    with pytest.raises(ValueError, match=r"exchanges\.gateio"):
        config.require_credentials()


def test_secrets_file_is_read_for_its_environment(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "settings" / "settings.toml"
    (tmp_path / "settings.toml").write_text(source.read_text())
    (tmp_path / ".secrets.toml").write_text(
        '[production.exchanges.gateio]\napi_key = "k1"\napi_secret = "s1"\n'
        '[production.exchanges.mexc]\napi_key = "k2"\napi_secret = "s2"\n'
        '[production.exchanges.gateio_futures]\napi_key = "k3"\napi_secret = "s3"\n'
    )
    settings = load_settings("production", settings_dir=tmp_path)
    creds = settings.exchange("gateio").credentials
    assert creds.api_key is not None and creds.api_key.get_secret_value() == "k1"
