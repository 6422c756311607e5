"""The closing table: one block per part, then the targets with met / missed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Target:
    name: str
    met: bool | None  # None: could not be measured
    measured: str


@dataclass
class Report:
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def render(self) -> str:
        out: list[str] = []
        for table in self.tables:
            out += ["", f"== {table.title}", *_grid(table.headers, table.rows), *[f"   {n}" for n in table.notes]]
        if self.targets:
            rows = [[t.name, {True: "MET", False: "MISSED", None: "n/a"}[t.met], t.measured] for t in self.targets]
            out += ["", "== Targets (same machine, same run)", *_grid(["target", "status", "measured"], rows)]
        return "\n".join(out)


def _grid(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=False)]
    line = "  ".join("-" * w for w in widths)

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=False))
        )

    return [fmt(headers), line, *(fmt(r) for r in rows)]


def num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"
