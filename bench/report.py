"""The result: ratios against the baseline, targets, a table for the terminal, result.json and plot.png."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.config import TARGETS

SHARED_CORES = 0.25  # more than this used by processes not ours: the machine was not idle

# (key, label, better): the headline figures, each printed with ours/baseline
FIGURES: list[tuple[str, str, str]] = [
    ("connections_held", "connections held", "higher"),
    ("frames_per_s", "delivered frames/s", "higher"),
    ("pin_frames_per_s", "  of which product.pinned", "higher"),
    ("pins_per_s", "pins/s taken (HTTP)", "higher"),
    ("pin_latency_p50_ms", "pin-to-viewer p50 (ms)", "lower"),
    ("pin_latency_p95_ms", "pin-to-viewer p95 (ms)", "lower"),
    ("pin_latency_p99_ms", "pin-to-viewer p99 (ms)", "lower"),
    ("reactions_sent_per_s", "reactions sent/s (clients)", "info"),
    ("reactions_in_per_s", "reactions ingested/s", "higher"),
    ("reaction_frames_per_s", "reaction frames/s per show", "info"),  # a cap (<= 5), not "the fewer the better"
    ("votes_per_s", "votes accepted/s (one poll)", "higher"),
    ("poll_frames_max_per_s", "  poll.results frames/s per show, max", "info"),
    ("orders_per_s", "orders/s (hot variant)", "higher"),
    ("storm_requests_per_s", "  storm requests/s (placed + refused)", "info"),
    ("oversell", "oversold units", "lower"),
    ("memory_per_viewer_kb", "server memory/viewer (KB)", "lower"),
    ("server_cpu_cores", "server CPU (cores)", "lower"),
    ("frames_per_server_core", "frames/s per server core", "higher"),
    ("reactions_per_server_core", "reactions/s per server core", "higher"),
    ("client_cpu_cores", "load generator CPU (cores)", "info"),
    ("redis_cpu_cores", "Redis CPU (cores)", "lower"),
]


def _flat(pop: dict[str, Any]) -> dict[str, Any]:
    cpu = pop.get("cpu_cores", {})
    return {**pop, "client_cpu_cores": round(cpu.get("clients", 0.0) + cpu.get("driver", 0.0), 3),
            "redis_cpu_cores": cpu.get("redis")}


STORM_RATES = ("orders_per_s", "storm_requests_per_s")


def ratios(ours: dict[str, Any], baseline: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    a = _flat(ours)
    b = _flat(baseline) if baseline else {}
    for key, label, better in FIGURES:
        mine, theirs = a.get(key), b.get(key)
        ratio = None
        if isinstance(mine, (int, float)) and isinstance(theirs, (int, float)) and theirs != 0:
            ratio = round(mine / theirs, 3)
        wins = None
        if better != "info" and isinstance(mine, (int, float)) and isinstance(theirs, (int, float)):
            wins = mine > theirs if better == "higher" else mine < theirs
            if mine == theirs:
                wins = None
        if key in STORM_RATES and b.get("oversell"):  # pieces it did not have are not orders: no contest
            wins = None
        out[key] = {"label": label, "ours": mine, "baseline": theirs, "ratio": ratio, "better": better,
                    "ours_better": wins}
    return out


def targets(ours: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, (op, value, label) in TARGETS.items():
        measured = ours.get(key)
        met = None
        if isinstance(measured, (int, float)):
            met = {">=": measured >= value, "<": measured < value, "<=": measured <= value,
                   "==": measured == value}[op]
        note = None
        if key == "pin_latency_p99_ms" and ours.get("viewers", 0) < 10_000:
            note = f"the target is for 10,000 viewers; this run had {ours.get('viewers')}"
        out[key] = {"label": label, "target": f"{op} {value:g}", "measured": measured, "met": met, "note": note}
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(result: dict[str, Any]) -> str:
    rows = [("figure", "ours", "baseline", "ours/baseline", "target", "met")]
    tg = result["targets"]
    for key, r in result["ratios"].items():
        t = tg.get(key, {})
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.3g}x"
        if r["ours_better"] is not None:
            ratio += " (better)" if r["ours_better"] else " (worse)"
        rows.append((r["label"], _fmt(r["ours"]), _fmt(r["baseline"]), ratio, t.get("target", ""),
                     _fmt(t.get("met")) if t else ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    ours = result["ours"]
    workers = str(result["config"]["workers"])
    if result.get("baseline_workers") not in (None, result["config"]["workers"]):
        workers += f" (baseline {result['baseline_workers']})"
    extra = [f"viewers {ours['viewers']:,}, workers {workers}, clients "
             f"{result['config']['clients']}, pins every {result['config']['pin_ms']} ms, "
             f"{result['config']['react_per_s']:g} reactions/s per viewer, {ours['window_s']} s measured, "
             f"database {result['database']}",
             f"ours: orders {ours['orders']['placed']} placed of {ours['orders']['attempted']} for stock "
             f"{ours['orders']['stock']}, {ours['orders']['available_after']} left"
             + (f" ({ours['orders']['placed_unanswered']} more sold whose answers the bench stopped waiting for)"
                if ours['orders'].get('placed_unanswered') else "")
             + (f"; votes {ours['votes']['accepted']} accepted of {ours['votes']['attempted']}, final tally "
                f"{ours['votes']['final_total']} ({'agrees' if ours['votes']['tally_agrees'] else 'DISAGREES'})"
                if ours.get("votes") else "")
             + "; closed by server: "
             f"{ours['closed_by_server'] or 'none'}; cpu {ours['cpu_cores']}"]
    if result.get("baseline"):
        b = result["baseline"]
        extra.append(f"baseline: orders {b['orders']['placed']} placed for stock {b['orders']['stock']}; "
                     f"closed by server: {b['closed_by_server'] or 'none'}; cpu {b['cpu_cores']}")
    for pop in (result["ours"], result.get("baseline")):
        if pop and pop.get("server_processes_replaced"):
            extra.append(f"warning: {pop['server_processes_replaced']} {pop['server']} server process(es) were "
                         "replaced during the run (a worker stopped answering its supervisor's health check and "
                         "was killed, or crashed): their sockets dropped")
        if pop and pop["cpu_cores"].get("others", 0) > SHARED_CORES:
            extra.append(f"warning: other processes on this machine used {pop['cpu_cores']['others']:.2f} cores on "
                         f"average while {pop['server']} was measured: its figures are lower than an idle machine's")
    return "\n".join([*lines, "", *extra])


def write_json(result: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(result, indent=2, sort_keys=False, default=str) + "\n")


def _rolling(values: list[float], width: int) -> list[float]:
    out = []
    for i in range(len(values)):
        window = values[max(0, i - width + 1):i + 1]
        out.append(sum(window) / len(window))
    return out


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pops = [(result["ours"], "Vitrine", "tab:blue", "-")]
    if result.get("baseline"):
        pops.append((result["baseline"], "naive baseline", "tab:red", "--"))
    fig, axes = plt.subplots(3, 1, figsize=(10, 11), sharex=True)
    cfg = result["config"]
    fig.suptitle(f"Vitrine bench: {result['ours']['viewers']:,} viewers, {cfg['workers']} worker(s), "
                 f"pin every {cfg['pin_ms']} ms, {cfg['react_per_s']:g} reactions/s/viewer")
    ax = axes[0]
    for pop, label, color, style in pops:
        xs = [s["t"] for s in pop["series"] if s["p99_ms"] is not None]
        ax.plot(xs, [s["p99_ms"] for s in pop["series"] if s["p99_ms"] is not None], color=color, linestyle=style,
                label=f"{label} p99")
        ax.plot(xs, [s["p50_ms"] for s in pop["series"] if s["p50_ms"] is not None], color=color, linestyle=style,
                alpha=0.5, label=f"{label} p50")
    ax.axhline(100, color="grey", linewidth=0.8, linestyle=":", label="target p99 100 ms")
    ax.set_ylabel("pin-to-viewer latency (ms)")
    ax.set_yscale("log")
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(True, alpha=0.3)
    ax = axes[1]
    for pop, label, color, style in pops:
        ax.plot([s["t"] for s in pop["series"]], [s["frames"] for s in pop["series"]], color=color, linestyle=style,
                label=f"{label} delivered frames/s")
    ax.set_ylabel("frames per second")
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(True, alpha=0.3)
    ax = axes[2]
    right = ax.twinx()
    for pop, label, color, style in pops:
        xs = [s["t"] for s in pop["series"]]
        ax.plot(xs, _rolling([s["reactions_in"] for s in pop["series"]], 5), color=color, linestyle=style,
                label=f"{label} reactions ingested/s (5 s mean)")
        right.plot(xs, [s["orders"] for s in pop["series"]], color=color, linestyle=style, alpha=0.6, marker=".",
                   label=f"{label} orders/s")
    ax.set_ylabel("reactions ingested per second")
    right.set_ylabel("orders per second")
    ax.set_xlabel("seconds since the show started driving")
    handles = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper right", fontsize=8)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
