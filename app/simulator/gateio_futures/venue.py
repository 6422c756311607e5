"""Gate.io USDT perpetual futures venue state: contracts, engines, accounts, order rules, funding, basis.

The REST and WS layers call into :class:`GateioFuturesVenue`; tests inspect it (``sim.gateio_futures``).
The futures books follow the simulator's shared underlying price path (the same one the spot venue
follows) plus a slowly mean-reverting **basis** and the venue's own noise, so spot-futures spreads exist.
The test user has the spot venue's uid and API key (one Gate key trades both products), with a separate
futures margin account.

Order rules (reference 6.10): ``size`` signed whole contracts (``0`` only with ``close`` / ``auto_size``),
``price "0"`` + ``tif ioc|fok`` = market, price on the ``order_price_round`` grid and within
``order_price_deviate`` of the mark, ``text`` ``t-...``. Reduce-only that would increase the position is
``INCREASE_POSITION``; larger than the position ``REDUCE_EXCEEDED`` (labels from the official list, the
exact trigger is this simulator's choice).
"""

from __future__ import annotations

import asyncio
import math
import random
from collections import deque
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from aiohttp import web

from app.composite.tasks import cancel_and_wait
from app.domain.enums import OrderType, Side, TimeInForce
from app.simulator.common import SimClock, VenueEndpoints
from app.simulator.gateio_futures.accounts import FuturesAccounts, LedgerRow, SimPosition
from app.simulator.gateio_futures.contracts import DEFAULT_CONTRACTS, SETTLE, FuturesContractSpec
from app.simulator.gateio_futures.engine import FuturesMatchingEngine
from app.simulator.gateio_futures.ws import GateioFuturesWsHub
from app.simulator.gateio_spot.venue import (
    DEFAULT_RATE_LIMITS,
    TEXT_PATTERN,
    GateApiError,
    GateioFaults,
    GateioUser,
    invalid_param,
    order_not_found,
    simulator_credentials,
)
from app.simulator.matching import BalanceChange, Fill, OrderEvent, OrderRejected, RejectReason, SimOrder
from app.simulator.price_path import UnderlyingPrices
from app.simulator.venue_base import HISTORY_LIMIT, SimVenue, VenueNumbering

DEFAULT_MARGIN = Decimal(100_000)
TEXT_LOOKUP_AFTER_FINISH_S = 60.0
FUNDING_INTERVAL_S = 28_800
FUNDING_BASE_RATE = Decimal("0.0001")
FUNDING_CAP = Decimal("0.003")
TIFS = {"gtc": TimeInForce.GTC, "ioc": TimeInForce.IOC, "fok": TimeInForce.FOK, "poc": TimeInForce.POST_ONLY}
NUMBERING = VenueNumbering(
    first_order_id=15_675_000_000, first_trade_id=27_753_000_000, ids_per_seed=1_000_000, sequence_step=2_129_000_000
)


def contract_not_found(name: object) -> GateApiError:
    return GateApiError(400, "CONTRACT_NOT_FOUND", f"Contract {name} not found")


class BasisNoise:
    """Futures premium over the underlying, in bps: mean-reverting around ``target_bps`` with noise."""

    def __init__(self, rng: random.Random, *, target_bps: float = 3.0, noise_bps: float = 0.15) -> None:
        self._rng = rng
        self._target = target_bps
        self._noise = noise_bps
        self.basis_bps: dict[str, float] = {}

    def factor(self, key: str) -> Decimal:
        basis = self.basis_bps.get(key, self._target)
        basis += 0.05 * (self._target - basis) + self._rng.gauss(0.0, self._noise)
        self.basis_bps[key] = basis
        return Decimal(repr(math.exp(basis / 10_000)))


class GateioFuturesVenue(SimVenue[GateioUser]):
    """The simulated Gate.io USDT perpetual futures exchange."""

    user_trades: dict[str, deque[tuple[Fill, bool, dict[str, Any]]]]

    def __init__(
        self,
        *,
        seed: int = 7,
        tick_interval_s: float = 0.05,
        clock: SimClock | None = None,
        contracts: tuple[FuturesContractSpec, ...] = DEFAULT_CONTRACTS,
        prices: UnderlyingPrices | None = None,
    ) -> None:
        super().__init__(seed=seed, clock=clock, prices=prices, numbering=NUMBERING, rate_limits=DEFAULT_RATE_LIMITS)
        self.contracts = {spec.name: spec for spec in contracts}
        self.hub: GateioFuturesWsHub = GateioFuturesWsHub(self)
        self.faults = GateioFaults(self.hub, name="gateio_futures", seed=seed)  # same gap / drop hooks as spot
        self.accounts = FuturesAccounts(
            self.ledger,
            self.contracts,
            clock=self.clock.now,
            on_position=self.hub.on_position,
            on_ledger_row=self._on_ledger_row,
        )
        self.engines: dict[str, FuturesMatchingEngine] = {
            name: FuturesMatchingEngine(
                spec,
                self.ledger,
                self.accounts,
                next_trade_id=self._trade_ids.next,
                clock_us=self.clock.now_us,
                mark_price=lambda name=name: self.mark_price(name),  # type: ignore[misc]
                start_sequence=self._start_sequence(index),
            )
            for index, (name, spec) in enumerate(self.contracts.items())
        }
        self._basis = BasisNoise(random.Random(seed * 97 + 5))
        params = {name: spec.params for name, spec in self.contracts.items()}
        self._open_markets(self.engines, params, seed=seed + 101, tick_interval_s=tick_interval_s, anchor=self._anchor)
        self._by_text: dict[tuple[str, str], str] = {}
        self.user = self._add_user(GateioUser("10000001", *simulator_credentials(seed)), DEFAULT_MARGIN)
        self.funding_interval_s: float = FUNDING_INTERVAL_S
        self.funding_next_apply = self._next_funding_time()
        self.funding_history: dict[str, deque[tuple[int, Decimal]]] = {
            name: deque(maxlen=HISTORY_LIMIT) for name in self.contracts
        }
        self._funding_task: asyncio.Task[None] | None = None

    # --- prices ---------------------------------------------------------------------------------------
    def _anchor(self, contract: str) -> Decimal | None:
        underlying = self.index_price(contract)
        return None if underlying is None else underlying * self._basis.factor(contract)

    def index_price(self, contract: str) -> Decimal | None:
        """The underlying (spot) price of the contract's base asset from the shared price path."""
        return None if self.prices is None else self.prices.price(self.contracts[contract].base)

    def mark_price(self, contract: str) -> Decimal:
        """The futures mid, rounded to ``mark_price_round``."""
        spec = self.contracts[contract]
        return self.market.mid[contract].quantize(spec.mark_round, ROUND_HALF_UP)

    def funding_rate(self, contract: str) -> Decimal:
        """``premium / 8 + 0.01 %`` capped at +-0.3 %, premium = (mark - index) / index."""
        index = self.index_price(contract)
        premium = Decimal(0) if not index else (self.mark_price(contract) - index) / index
        rate = max(-FUNDING_CAP, min(FUNDING_CAP, premium / 8 + FUNDING_BASE_RATE))
        return rate.quantize(Decimal("0.000001"))

    # --- funding --------------------------------------------------------------------------------------
    def _next_funding_time(self) -> float:
        interval = self.funding_interval_s
        return (math.floor(self.clock.now() / interval) + 1) * interval

    def set_funding_interval(self, seconds: float) -> None:
        """Test hook: apply funding every ``seconds`` from now on."""
        self.funding_interval_s = seconds
        self.funding_next_apply = self.clock.now() + seconds

    def apply_funding(self, contract: str | None = None) -> int:
        """Charge / pay funding now (one contract or all); returns how many positions were charged."""
        charged = 0
        for name in [contract] if contract else list(self.contracts):
            rate = self.funding_rate(name)
            self.funding_history[name].appendleft((int(self.clock.now()), rate))
            charged += self.accounts.apply_funding(name, rate, self.mark_price(name))
        return charged

    async def _funding_loop(self) -> None:
        while True:
            await asyncio.sleep(max(0.01, min(0.5, self.funding_next_apply - self.clock.now())))
            if self.clock.now() >= self.funding_next_apply:
                self.apply_funding()
                self.funding_next_apply += self.funding_interval_s

    # --- simulator plug-in ----------------------------------------------------------------------------
    def mount(self, router: web.UrlDispatcher) -> None:
        from app.simulator.gateio_futures import rest as futures_rest

        self._rest = futures_rest.mount(self, router)

    def endpoints(self, base_url: str, ws_base_url: str) -> VenueEndpoints:
        from app.simulator.gateio_futures import rest as futures_rest

        return self._endpoints(f"{base_url}{futures_rest.PREFIX}", f"{ws_base_url}{futures_rest.WS_PATH}")

    async def start(self) -> None:
        for name, spec in self.contracts.items():  # ladders start around today's price, not the listing's
            anchor = self._anchor(name)
            if anchor is not None:
                self.market.mid[name] = anchor.quantize(spec.price_tick / 1000)
        await super().start()
        self._funding_task = asyncio.get_running_loop().create_task(self._funding_loop(), name="simulator-funding")

    async def stop(self) -> None:
        task, self._funding_task = self._funding_task, None
        await cancel_and_wait(task)
        await super().stop()

    # --- engine events --------------------------------------------------------------------------------
    def on_trade(self, fill: Fill) -> None:
        self.public_trades[fill.symbol].append(fill)
        for order, maker in ((fill.maker, True), (fill.taker, False)):
            trades = self.user_trades.get(order.account_id)
            if trades is not None:
                info = {"fee": order.extra.get("fill_fee", Decimal(0)), "close_size": order.extra.get("close_size", 0)}
                trades.append((fill, maker, info))
                self.hub.on_user_trade(fill, maker, info, self.users_by_account[order.account_id])
        self.hub.on_trade(fill)

    def on_order(self, order: SimOrder, event: OrderEvent) -> None:
        user = self.users_by_account.get(order.account_id)
        if user is not None:
            self.hub.on_order(order, event, user)

    def on_balance(self, change: BalanceChange) -> None:
        """Ledger moves are not published: ``futures.balances`` carries account-book rows (fee, pnl, ...)."""

    def _on_ledger_row(self, uid: str, row: LedgerRow) -> None:
        user = self.users_by_account.get(uid)
        if user is not None:
            self.hub.on_ledger_row(row, user)

    # --- users and lookups ----------------------------------------------------------------------------
    def add_user(self, uid: str, *, margin: Decimal = DEFAULT_MARGIN) -> GateioUser:
        """Test helper: another funded API user (deterministic credentials)."""
        key, secret = simulator_credentials(int(uid), index=len(self.users_by_key))
        return self._add_user(GateioUser(uid=uid, api_key=key, api_secret=secret), margin)

    def _add_user(self, user: GateioUser, margin: Decimal) -> GateioUser:
        """Register ``user`` and open its futures account with ``margin``."""
        self._register_user(user)
        self.accounts.open(user.uid)
        self.accounts.deposit(user.uid, margin)
        return user

    def deposit(self, amount: Decimal, user: GateioUser | None = None) -> None:
        """Test helper: credit margin (publishes a ``dnw`` row on ``futures.balances``)."""
        self.accounts.deposit((user or self.user).uid, amount)

    def contract(self, name: str | None) -> FuturesContractSpec:
        if not name:
            raise GateApiError(400, "MISSING_REQUIRED_PARAM", "Missing required parameter: contract")
        spec = self.contracts.get(name)
        if spec is None:
            raise contract_not_found(name)
        return spec

    def find_order(self, user: GateioUser, ref: str) -> SimOrder:
        """By id, or by ``t-`` text while open and up to 60 s after it finished (reference 6.10)."""
        order_id = self._by_text.get((user.uid, ref), "") if ref.startswith("t-") else ref
        order = self.orders.get(order_id)
        if order is None or order.account_id != user.uid:
            raise order_not_found()
        expired = self.clock.now_us() - order.finished_us > TEXT_LOOKUP_AFTER_FINISH_S * 1_000_000
        if ref.startswith("t-") and not order.is_open and expired:
            raise order_not_found()
        return order

    def user_orders(self, user: GateioUser, contract: str | None = None, *, is_open: bool) -> list[SimOrder]:
        return [
            o
            for o in self.orders.values()
            if o.account_id == user.uid and o.is_open is is_open and (contract is None or o.symbol == contract)
        ]

    def positions(self, user: GateioUser) -> list[SimPosition]:
        """The user's positions under the current mode, for every contract."""
        return [p for name in self.contracts for p in self.accounts.positions_of(user.uid, name)]

    # --- trading --------------------------------------------------------------------------------------
    def place_order(
        self,
        user: GateioUser,
        *,
        contract: str | None,
        size: object,
        price: object,
        tif: str | None,
        text: str | None,
        reduce_only: bool = False,
        close: bool = False,
        auto_size: str | None = None,
    ) -> SimOrder:
        """Validate like Gate and submit; raises :class:`GateApiError`."""
        spec = self.contract(contract)
        state = self.accounts.users[user.uid]
        contracts = _whole_size(size)
        tif_text = tif or "gtc"
        if tif_text not in TIFS:
            raise invalid_param("tif", tif_text)
        if text is not None and not TEXT_PATTERN.match(text):
            raise invalid_param("text", text)
        price_value = _price(price)
        if price_value == 0 and tif_text not in ("ioc", "fok"):
            raise invalid_param("tif", f"{tif_text} (a market order, price 0, needs ioc or fok)")
        if price_value % spec.price_tick:
            raise invalid_param("price", price)
        if price_value:
            mark = self.mark_price(spec.name)
            if abs(price_value - mark) > mark * spec.order_price_deviate:
                raise GateApiError(400, "PRICE_TOO_DEVIATED", f"price diverges from mark price {mark}")
        if close or auto_size:
            mode, contracts = self._closing_size(state.dual_mode, spec.name, user.uid, contracts, close, auto_size)
            reduce_only = True
        else:
            if contracts == 0:
                raise invalid_param("size", size)
            mode = "single" if not state.dual_mode else self._dual_mode_for(contracts, reduce_only)
            if reduce_only:
                self._check_reduce(self.accounts.position(user.uid, spec.name, mode).size, contracts)
        if not spec.size_min <= abs(contracts) <= spec.size_max:
            label = "SIZE_TOO_SMALL" if abs(contracts) < spec.size_min else "SIZE_TOO_LARGE"
            raise GateApiError(400, label, f"size {contracts} out of [{spec.size_min}, {spec.size_max}]")
        order = SimOrder(
            order_id=self._next_order_id(),
            account_id=user.uid,
            symbol=spec.name,
            side=Side.BUY if contracts > 0 else Side.SELL,
            order_type=OrderType.MARKET if price_value == 0 else OrderType.LIMIT,
            time_in_force=TIFS[tif_text],
            quantity=Decimal(abs(contracts)),
            price=price_value or None,
            client_order_id=text,
            extra={"mode": mode, "reduce_only": reduce_only, "close": close, "tif": tif_text},
        )
        self.orders[order.order_id] = order
        text_key = (user.uid, text or "")
        previous = self._by_text.get(text_key)
        if text:
            self._by_text[text_key] = order.order_id
        try:
            return self.engines[spec.name].submit(order)
        except OrderRejected as exc:
            del self.orders[order.order_id]
            if previous is not None:
                self._by_text[text_key] = previous
            else:
                self._by_text.pop(text_key, None)
            raise _rejection(exc) from None

    @staticmethod
    def _dual_mode_for(contracts: int, reduce_only: bool) -> str:
        if reduce_only:  # positive size reduces the short, negative the long
            return "dual_short" if contracts > 0 else "dual_long"
        return "dual_long" if contracts > 0 else "dual_short"

    @staticmethod
    def _check_reduce(position: int, contracts: int) -> None:
        if position * contracts >= 0:
            raise GateApiError(400, "INCREASE_POSITION", "reduce-only order would increase the position")
        if abs(contracts) > abs(position):
            raise GateApiError(400, "REDUCE_EXCEEDED", f"reduce-only size {contracts} exceeds position {position}")

    def _closing_size(
        self, dual: bool, contract: str, uid: str, size: int, close: bool, auto_size: str | None
    ) -> tuple[str, int]:
        if size != 0:
            raise invalid_param("size", f"{size} (must be 0 with close / auto_size)")
        if close and dual:
            raise GateApiError(400, "POSITION_DUAL_MODE", "use auto_size to close a position in dual mode")
        if auto_size and not dual:
            raise invalid_param("auto_size", auto_size)
        if auto_size not in (None, "close_long", "close_short"):
            raise invalid_param("auto_size", auto_size)
        mode = "single" if close else ("dual_long" if auto_size == "close_long" else "dual_short")
        position = self.accounts.position(uid, contract, mode).size
        if position == 0:
            raise GateApiError(400, "POSITION_EMPTY", "no position to close")
        return mode, -position

    def cancel_order(self, user: GateioUser, ref: str) -> SimOrder:
        order = self.find_order(user, ref)
        if not order.is_open:
            raise GateApiError(400, "ORDER_FINISHED", "order already finished")
        return self.engines[order.symbol].cancel(order.order_id)

    def cancel_all(self, user: GateioUser, contract: str | None, side: str | None) -> list[SimOrder]:
        spec = self.contract(contract)
        if side not in (None, "", "bid", "ask"):
            raise invalid_param("side", side)
        wanted = {"bid": Side.BUY, "ask": Side.SELL}.get(side or "")
        return [
            self.engines[o.symbol].cancel(o.order_id)
            for o in self.user_orders(user, spec.name, is_open=True)
            if wanted is None or o.side is wanted
        ]

    def set_leverage(self, user: GateioUser, contract: str, leverage: object, cross_limit: object) -> None:
        spec = self.contract(contract)
        value = _decimal_param("leverage", leverage)
        limit = None if cross_limit in (None, "") else _decimal_param("cross_leverage_limit", cross_limit)
        for checked in (value, limit):
            if checked is None or checked == 0:
                continue
            if checked > spec.leverage_max:
                raise GateApiError(400, "LEVERAGE_TOO_HIGH", f"leverage {checked} above {spec.leverage_max}")
            if checked < spec.leverage_min:
                raise GateApiError(400, "LEVERAGE_TOO_LOW", f"leverage {checked} below {spec.leverage_min}")
        self.accounts.set_leverage(user.uid, spec.name, value, limit)

    def set_dual_mode(self, user: GateioUser, dual: bool) -> None:
        state = self.accounts.users[user.uid]
        if any(p.size for p in state.positions.values()):
            raise GateApiError(400, "POSITION_HOLDING", "close every position before changing the position mode")
        if self.user_orders(user, is_open=True):
            raise GateApiError(400, "ORDER_PENDING", "cancel every open order before changing the position mode")
        state.dual_mode = dual


def _rejection(exc: OrderRejected) -> GateApiError:
    if exc.reason is RejectReason.POST_ONLY_WOULD_TAKE:
        return GateApiError(400, "ORDER_POC_IMMEDIATE", "order would match and take immediately")
    if exc.reason is RejectReason.INSUFFICIENT_BALANCE:
        return GateApiError(400, "INSUFFICIENT_AVAILABLE", "Insufficient available margin")
    return GateApiError(400, "INVALID_PARAM_VALUE", str(exc))


def _decimal_param(name: str, value: object) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid_param(name, value) from None
    if not number.is_finite() or number < 0:
        raise invalid_param(name, value)
    return number


def _whole_size(value: object) -> int:
    """``size``: an int, an integral JSON float (hummingbot sends ``10.0``) or a decimal string."""
    if value is None:
        raise GateApiError(400, "MISSING_REQUIRED_PARAM", "Missing required parameter: size")
    if isinstance(value, bool):
        raise invalid_param("size", value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid_param("size", value) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise invalid_param("size", value)
    return int(number)


def _price(value: object) -> Decimal:
    if value is None:
        raise GateApiError(400, "MISSING_REQUIRED_PARAM", "Missing required parameter: price")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid_param("price", value) from None
    if not number.is_finite() or number < 0:
        raise invalid_param("price", value)
    return number


__all__ = ["SETTLE", "GateioFuturesVenue"]
