"""Listed USDT perpetuals of the simulated Gate.io futures venue (reference 6.1) and how their books move."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.simulator.market import MarketParams
from app.simulator.matching import MarketSpec

SETTLE = "USDT"
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class FuturesContractSpec:
    """One contract: size in base units (``quanto_multiplier``), ticks, limits in contracts, risk, fees."""

    name: str
    base: str
    multiplier: Decimal
    price_tick: Decimal
    mark_round: Decimal
    params: MarketParams
    size_min: int = 1
    size_max: int = 1_000_000
    leverage_min: Decimal = Decimal(1)
    leverage_max: Decimal = Decimal(100)
    maintenance_rate: Decimal = Decimal("0.005")
    maker_fee: Decimal = Decimal("0.0002")
    taker_fee: Decimal = Decimal("0.0005")
    order_price_deviate: Decimal = Decimal("0.5")

    def market_spec(self) -> MarketSpec:
        """The engine's view: quantities are whole contracts; fees are charged by the futures engine."""
        return MarketSpec(
            self.name, self.base, SETTLE, self.price_tick, Decimal(1), Decimal(self.size_min), ZERO, ZERO, ZERO
        )


def _contract(base: str, mult: str, tick: str, price: str, sizes: tuple[int, int], lev_max: int) -> FuturesContractSpec:
    params = MarketParams(
        start_price=Decimal(price),
        volatility_bps=0.15,
        level_step_ticks=10,
        min_size=Decimal(sizes[0]),
        max_size=Decimal(sizes[1]),
    )
    tick_value = Decimal(tick)
    return FuturesContractSpec(
        name=f"{base}_{SETTLE}",
        base=base,
        multiplier=Decimal(mult),
        price_tick=tick_value,
        mark_round=tick_value / 10,
        params=params,
        leverage_max=Decimal(lev_max),
    )


DEFAULT_CONTRACTS: tuple[FuturesContractSpec, ...] = (
    _contract("BTC", "0.0001", "0.1", "65000", (50, 5000), 125),
    _contract("ETH", "0.01", "0.01", "3500", (5, 500), 100),
    _contract("SOL", "1", "0.001", "150", (1, 60), 50),
)
