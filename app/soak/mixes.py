"""Named fault mixes for the soak (``--faults NAME``); each is a :class:`~app.simulator.faults.FaultPlan` dict.

``every`` enables every fault the simulator has at rates a 10-minute run hits many times over; ``short``
is the same set with compressed timers, for the ~15 s soak that runs in the test suite.
"""

from __future__ import annotations

from typing import Any

_EVERY_VENUE: dict[str, Any] = {
    "drop_every_s": 20.0,
    "drop_every_messages": 4000,
    "drop_abrupt_ratio": 0.5,
    "gap_rate": 0.005,
    "malformed_rate": 0.0005,
    "truncated_rate": 0.0005,
    "delay_rate": 0.002,
    "delay_s": 0.3,
    "silent_every_s": 45.0,  # connections hang: the client's idle timeout must notice
    "http_5xx_rate": 0.01,
    "http_429_rate": 0.01,
    "lost_order_response_rate": 0.05,
    "restart_every_s": 90.0,
    "restart_down_s": 1.5,
}

MIXES: dict[str, dict[str, Any]] = {
    "none": {"enabled": False},
    "every": {
        "enabled": True,
        "seed": 11,
        "clock_skew_s": 90.0,  # beyond Gate's 60 s window and MEXC's recvWindow
        "clock_skew_every_s": 60.0,
        "clock_skew_for_s": 20.0,
        "venues": {"all": _EVERY_VENUE, "mexc": {"listen_key_expiry_every_s": 40.0}},
    },
    "short": {
        "enabled": True,
        "seed": 5,
        "clock_skew_s": 90.0,
        "clock_skew_every_s": 6.0,
        "clock_skew_for_s": 3.0,
        "venues": {
            "all": {
                **_EVERY_VENUE,
                "drop_every_s": 4.0,
                "drop_every_messages": 1500,
                "gap_rate": 0.02,
                "malformed_rate": 0.002,
                "truncated_rate": 0.002,
                "delay_rate": 0.01,
                "silent_every_s": 7.0,
                "http_5xx_rate": 0.03,
                "http_429_rate": 0.03,
                "lost_order_response_rate": 0.15,
                "restart_every_s": 9.0,
                "restart_down_s": 0.8,
            },
            "mexc": {"listen_key_expiry_every_s": 5.0},
        },
    },
    "books": {  # market-data faults only
        "enabled": True,
        "seed": 3,
        "venues": {
            "all": {
                "drop_every_s": 10.0,
                "gap_rate": 0.01,
                "malformed_rate": 0.001,
                "truncated_rate": 0.001,
                "delay_rate": 0.005,
                "silent_every_s": 30.0,
            }
        },
    },
    "orders": {  # REST faults only
        "enabled": True,
        "seed": 4,
        "clock_skew_s": 90.0,
        "clock_skew_every_s": 30.0,
        "venues": {"all": {"http_5xx_rate": 0.02, "http_429_rate": 0.02, "lost_order_response_rate": 0.1}},
    },
}


def mix(name: str) -> dict[str, Any]:
    """The plan of a named mix (``ValueError`` naming the known ones otherwise)."""
    try:
        return MIXES[name]
    except KeyError:
        raise ValueError(f"unknown fault mix {name!r}; known: {', '.join(MIXES)}") from None
