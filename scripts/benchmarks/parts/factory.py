"""Part 3: factory cache hits, creation per key, and the memory of the full exchange matrix."""

from __future__ import annotations

import json
import subprocess

from benchmarks.report import Report, Table, Target, num
from benchmarks.runner import PROJECT_PYTHON, ROOT, _env

PREFIX = "BENCH-FACTORY "


def run(report: Report, *, quick: bool) -> None:
    cmd = [PROJECT_PYTHON, "-m", "benchmarks.factory_probe", *(["--quick"] if quick else [])]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=300, check=False)
    line = next((x for x in proc.stdout.splitlines() if x.startswith(PREFIX)), None)
    if line is None:
        tail = " | ".join(proc.stderr.strip().splitlines()[-2:])
        report.tables.append(Table("3. Factory", ["error"], [[tail[:200]]]))
        report.targets.append(
            Target("factory: cache hit < 1 us, creation < 200 us, matrix < 5 MB", None, "probe failed")
        )
        return
    data = json.loads(line[len(PREFIX) :])
    table = Table(
        "3. Factory (per composite key; best of 3 loops)",
        ["key", "hit API us", "hit container us", "hit raw provider us", "create API us", "create container us"],
    )
    for row in data["keys"]:
        table.rows.append(
            [
                row["key"],
                num(row["hit_api_us"], 2),
                num(row["hit_container_us"], 2),
                num(row.get("hit_raw_provider_us", 0.0), 2),
                num(row["create_api_us"], 0),
                num(row["create_container_us"], 0),
            ]
        )
    mb = data["instances_bytes"] / 1e6
    table.notes.append(
        f"full matrix ({len(data['exchanges'])} venues, {data['objects']} objects: REST + WS x public/private + "
        f"composites): {mb:.2f} MB of instances (tracemalloc), {data['cold_bytes'] / 1e6:.2f} MB on the first build "
        "including the venue modules' import"
    )
    for key, error in data.get("errors", {}).items():
        table.notes.append(f"not built: {key}: {error}")
    report.tables.append(table)
    if data["keys"]:
        hit = max(max(r["hit_api_us"], r["hit_container_us"]) for r in data["keys"])
        create = max(max(r["create_api_us"], r["create_container_us"]) for r in data["keys"])
        report.targets.append(Target("factory: cache hit < 1 us", hit < 1.0, f"worst {hit:.2f} us (API / container)"))
        report.targets.append(Target("factory: creation < 200 us", create < 200.0, f"worst {create:.0f} us"))
    report.targets.append(Target("factory: full matrix < 5 MB", mb < 5.0 and not data.get("errors"), f"{mb:.2f} MB"))
