"""The benchmark chart: throughput, latency and memory over the streaming run (PNG)."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..stages import SINK, STAGES
from .memory import Sampler
from .streaming import Timeline

PHASE_COLOURS = {"warm-up": "#eeeeee", "max": "#fde9d9", "latency": "#dbeef4", "long": "#e6f2dc"}
_PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#ff7f0e", "#17becf")
STAGE_COLOURS = {spec.name: colour for spec, colour in zip(STAGES, _PALETTE)}


def _rates(points: list[tuple[float, int]], window: float = 2.0) -> list[tuple[float, float]]:
    """Rate of a cumulative counter, over `window` seconds (commits arrive in steps)."""
    out = []
    j = 0
    for i, (t, value) in enumerate(points):
        while j < i and points[j][0] < t - window:
            j += 1
        if j < i:
            t0, v0 = points[j]
            if t > t0:
                out.append((t, (value - v0) / (t - t0)))
    return out


def _increments_per_second(points: list[tuple[float, int]]) -> list[tuple[float, float]]:
    """A cumulative counter as counts per 1-second bin (zeros included)."""
    counts: dict[int, float] = defaultdict(float)
    previous = 0
    for t, value in points:
        counts[int(t)] += value - previous
        previous = value
    if not counts:
        return []
    return [(s + 0.5, counts.get(s, 0)) for s in range(min(counts), max(counts) + 1)]


def _per_second(times: list[float]) -> list[tuple[float, float]]:
    counts: dict[int, int] = defaultdict(int)
    for t in times:
        counts[int(t)] += 1
    if not counts:
        return []
    return [(s + 0.5, counts.get(s, 0)) for s in range(min(counts), max(counts) + 1)]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _shade(ax, timeline: Timeline) -> None:
    for name, start, end in timeline.phases:
        ax.axvspan(start, end, color=PHASE_COLOURS.get(name, "#f4f4f4"), zorder=0, lw=0)


def render(path: str | Path, timeline: Timeline, sampler: Sampler, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    fig, (ax_rate, ax_lat, ax_rss) = plt.subplots(3, 1, figsize=(11, 10), sharex=True,
                                                  gridspec_kw={"height_ratios": [3, 2, 2]})
    fig.suptitle(title, fontsize=10)

    _shade(ax_rate, timeline)
    offered = _increments_per_second(timeline.offered)
    if offered:
        ax_rate.step(*zip(*offered), where="mid", color="#d62728", lw=1.2, ls="--", label="offered (messages/s)")
    scale = [v for _t, v in offered if v and v < 10_000]
    # The sink's committed count mixes events and articles: its line is "completed" below.
    for stage in (spec.name for spec in STAGES if spec is not SINK):
        series = [(t, c[stage]) for t, c in timeline.progress if stage in c]
        rates = _rates(series, window=5.0)  # stages commit whole batches: smooth over 5 s
        if rates:
            ax_rate.plot(*zip(*rates), color=STAGE_COLOURS[stage], lw=1, label=f"{stage} committed (messages/s, 5 s mean)")
            scale += [v for _t, v in rates]
    completed = _per_second([t for t, _ms, _phase in timeline.latencies])
    if completed:
        ax_rate.plot(*zip(*completed), color="black", lw=1.4, label="articles completed at the sink (/s)")
        scale += [v for _t, v in completed]
    # In the max phase the whole workload is published within seconds: keep the pipeline's
    # own rates readable and let that burst run off the top.
    ceiling = 1.3 * sorted(scale)[int(0.99 * (len(scale) - 1))] if scale else None
    if ceiling and offered and max(v for _t, v in offered) > ceiling:
        ax_rate.set_ylim(0, ceiling)
        ax_rate.annotate("publish burst off scale", xy=(0.01, 0.93), xycoords="axes fraction", fontsize=7,
                         color="#d62728")
    ax_rate.set_ylabel("throughput (/s)")
    ax_rate.legend(loc="upper right", fontsize=7)
    ax_rate.grid(alpha=0.3)

    _shade(ax_lat, timeline)
    bins: dict[int, list[float]] = defaultdict(list)
    for t, ms, _phase in timeline.latencies:
        bins[int(t)].append(ms)
    if bins:
        seconds = sorted(bins)
        ax_lat.plot([s + 0.5 for s in seconds], [_quantile(bins[s], 0.5) for s in seconds],
                    color="#1f77b4", lw=1, label="p50 per second")
        ax_lat.plot([s + 0.5 for s in seconds], [_quantile(bins[s], 0.99) for s in seconds],
                    color="#d62728", lw=1, label="p99 per second")
        ax_lat.set_yscale("log")
        ax_lat.axhline(250, color="grey", ls=":", lw=1, label="p99 target 250 ms (at 50% load)")
    ax_lat.set_ylabel("ingest -> sink (ms)\n(max phase: queueing)")
    ax_lat.legend(loc="upper right", fontsize=7)
    ax_lat.grid(alpha=0.3, which="both")

    _shade(ax_rss, timeline)
    series = sampler.series_mb()
    for name, points in series.items():
        if name != "broker":
            ax_rss.plot(*zip(*points), lw=1, label=name, color=STAGE_COLOURS.get(name),
                        ls="--" if name == "bench driver" else "-")
    ax_rss.set_ylabel("RSS (MB)")
    ax_rss.set_xlabel("seconds since the workers started")
    handles, labels = ax_rss.get_legend_handles_labels()
    if "broker" in series:
        # The embedded broker keeps every message in memory by design: its own scale.
        ax_broker = ax_rss.twinx()
        line, = ax_broker.plot(*zip(*series["broker"]), lw=1, ls=":", color="#7f7f7f", label="broker (right axis)")
        ax_broker.set_ylabel("broker RSS (MB)")
        handles, labels = handles + [line], labels + [line.get_label()]
    phases = [Patch(color=PHASE_COLOURS.get(n, "#f4f4f4"), label=f"phase: {n}") for n, _s, _e in timeline.phases]
    ax_rss.legend(handles + phases, labels + [p.get_label() for p in phases], loc="upper left", fontsize=7, ncol=2)
    ax_rss.grid(alpha=0.3)

    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
