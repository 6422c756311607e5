"""Part 1: stream ingest, ours vs ccxt.pro vs the bare floor on identical pre-generated frames.

Every client runs in its own process against the same local server, interleaved round by round (the
machine is shared: medians of the rounds, ratios from the same run).
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.common import RunResult
from benchmarks.report import Report, Table, Target, num
from benchmarks.runner import PROJECT_PYTHON, bench_python, median_result, run_client, stream_server

# streams with an order book target first; trades / tickers are informative
BOOK_STREAMS = ["gateio-spot-book", "gateio-futures-book", "mexc-spot-book"]
OTHER_STREAMS = ["gateio-spot-trades", "gateio-spot-ticker"]
OFFICIAL_FLOOR = "floor-websockets+orjson"  # the floor: bare websockets receive loop + orjson


@dataclass
class ClientSpec:
    label: str
    module: str
    args: tuple[str, ...]
    bench_env: bool


CLIENTS = [
    ClientSpec("ours-aiohttp", "benchmarks.clients.ours", ("--backend", "aiohttp"), False),
    ClientSpec("ccxt.pro", "benchmarks.clients.ccxt_pro", (), True),
    ClientSpec(OFFICIAL_FLOOR, "benchmarks.clients.floor", ("--lib", "websockets", "--decoder", "orjson"), True),
    ClientSpec("floor-aiohttp+orjson", "benchmarks.clients.floor", ("--lib", "aiohttp", "--decoder", "orjson"), True),
    ClientSpec("floor-aiohttp+msgspec", "benchmarks.clients.floor", ("--lib", "aiohttp", "--decoder", "msgspec"), True),
]
EXTRA_CLIENTS = [ClientSpec("ours-websockets", "benchmarks.clients.ours", ("--backend", "websockets"), False)]


PROTOBUF_CLIENTS = [  # MEXC: the floor decodes with upb protobuf (there is no JSON to hand to orjson)
    ClientSpec("ours-aiohttp", "benchmarks.clients.ours", ("--backend", "aiohttp"), False),
    ClientSpec("ccxt.pro", "benchmarks.clients.ccxt_pro", (), True),
    ClientSpec(
        "floor-websockets+protobuf", "benchmarks.clients.floor", ("--lib", "websockets", "--decoder", "protobuf"), True
    ),
    ClientSpec(
        "floor-aiohttp+protobuf", "benchmarks.clients.floor", ("--lib", "aiohttp", "--decoder", "protobuf"), True
    ),
    # the read-every-field floors: + every field of the push read into Python strings (as orjson gives them)
    ClientSpec(
        "floor-websockets+protobuf-fields",
        "benchmarks.clients.floor",
        ("--lib", "websockets", "--decoder", "protobuf-fields"),
        True,
    ),
    ClientSpec(
        "floor-aiohttp+protobuf-fields",
        "benchmarks.clients.floor",
        ("--lib", "aiohttp", "--decoder", "protobuf-fields"),
        True,
    ),
]
FLOORS = {"mexc-spot-book": ("floor-websockets+protobuf", "floor-aiohttp+protobuf")}
FIELD_FLOORS = {"mexc-spot-book": "floor-websockets+protobuf-fields"}  # shown beside the official floor


def measure_stream(stream: str, messages: int, rounds: int, clients: list[ClientSpec]) -> list[RunResult]:
    import json

    runs: dict[str, list[RunResult]] = {c.label: [] for c in clients}
    with stream_server(stream, messages) as info:
        payload = json.dumps(info)
        for _ in range(rounds):
            for spec in clients:
                python = bench_python() if spec.bench_env else PROJECT_PYTHON
                result = run_client(python, spec.module, payload, *spec.args, label=spec.label, stream=stream)
                result.client = spec.label
                runs[spec.label].append(result)
    return [median_result(results) for results in runs.values()]


def run(report: Report, *, messages: int, rounds: int, streams: list[str] | None, both_backends: bool) -> None:
    clients = CLIENTS + (EXTRA_CLIENTS if both_backends else [])
    table = Table(
        f"1. Stream ingest ({messages:,} measured frames per run, median of {rounds} interleaved rounds)",
        ["stream", "client", "msgs/s", "CPU us/msg", "msgs/s vs ccxt", "CPU vs floor", "final state"],
    )
    for stream in streams or BOOK_STREAMS + OTHER_STREAMS:
        official, same_decoder = FLOORS.get(stream, (OFFICIAL_FLOOR, "floor-aiohttp+msgspec"))
        chosen = PROTOBUF_CLIENTS if stream in FLOORS else clients
        results = measure_stream(stream, messages, rounds if stream in BOOK_STREAMS else max(1, rounds - 1), chosen)
        by = {r.client: r for r in results}
        ccxt = by.get("ccxt.pro")
        floor = by.get(official)
        for r in results:
            ok = r.messages > 0
            vs_ccxt = f"{r.msgs_per_s / ccxt.msgs_per_s:.2f}x" if ok and ccxt and ccxt.msgs_per_s else "-"
            vs_floor = f"{r.cpu_us_per_msg / floor.cpu_us_per_msg:.2f}x" if ok and floor and floor.messages else "-"
            state = ("verified" if r.verified else "WRONG") if ok else (r.detail or "failed")[:60]
            if r.client.startswith("floor"):
                state = "no book" if ok else state
            table.rows.append(
                [stream, r.client, num(r.msgs_per_s, 0), num(r.cpu_us_per_msg, 2), vs_ccxt, vs_floor, state]
            )
        ours = by.get("ours-aiohttp")
        if stream in BOOK_STREAMS and ours is not None:
            _targets(report, stream, ours, ccxt, floor, by.get(same_decoder), by.get(FIELD_FLOORS.get(stream, "")))
    table.notes += [
        "msgs/s: measured frames / wall time between the start and end markers (the server writes as fast as",
        "the socket takes); CPU: client process time.process_time() over the same window.",
        f"CPU vs floor: against {OFFICIAL_FLOOR} (bare receive loop + orjson.loads, no book); MEXC: against",
        "floor-websockets+protobuf (bare receive loop + upb ParseFromString + WhichOneof: no field is read).",
        "floor-aiohttp+msgspec/protobuf: our transport library + our typed decoder, no book.",
        "floor-*+protobuf-fields (MEXC): + every field of the push read into Python str/int, as orjson gives",
        "JSON values (no Decimal, no book).",
    ]
    report.tables.append(table)


def _targets(
    report: Report,
    stream: str,
    ours: RunResult,
    ccxt: RunResult | None,
    floor: RunResult | None,
    same_decoder_floor: RunResult | None,
    fields_floor: RunResult | None = None,
) -> None:
    valid = ours.messages > 0 and ours.verified
    if ccxt and ccxt.messages and valid:
        ratio = ours.msgs_per_s / ccxt.msgs_per_s
        report.targets.append(Target(f"{stream}: >= 4x ccxt.pro msgs/s", ratio >= 4.0, f"{ratio:.2f}x"))
    else:
        report.targets.append(Target(f"{stream}: >= 4x ccxt.pro msgs/s", None, "ccxt.pro not measured"))
    if floor and floor.messages and valid:
        ratio = ours.cpu_us_per_msg / floor.cpu_us_per_msg
        others = []
        if same_decoder_floor and same_decoder_floor.messages:
            label = same_decoder_floor.client.removeprefix("floor-")
            others.append(f"{ours.cpu_us_per_msg / same_decoder_floor.cpu_us_per_msg:.2f}x {label} floor")
        if fields_floor and fields_floor.messages:
            others.append(f"{ours.cpu_us_per_msg / fields_floor.cpu_us_per_msg:.2f}x the read-every-field floor")
        extra = f" ({', '.join(others)})" if others else ""
        report.targets.append(Target(f"{stream}: CPU <= 1.3x floor", ratio <= 1.3, f"{ratio:.2f}x{extra}"))
