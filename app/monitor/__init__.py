"""The cross-exchange arbitrage monitor: spread maths, opportunities, execution, PnL, terminal view."""

from app.monitor.executor import ArbitrageExecutor, ExecutionLimits
from app.monitor.monitor import ArbitrageMonitor, MonitorConfig
from app.monitor.opportunity import Opportunity, OpportunityTracker
from app.monitor.pnl import PnlBook
from app.monitor.spread import DepthFill, QuoteStatus, SpreadQuote, quote_spread, walk_depth

__all__ = [
    "ArbitrageExecutor",
    "ArbitrageMonitor",
    "DepthFill",
    "ExecutionLimits",
    "MonitorConfig",
    "Opportunity",
    "OpportunityTracker",
    "PnlBook",
    "QuoteStatus",
    "SpreadQuote",
    "quote_spread",
    "walk_depth",
]
