"""The report's charts (matplotlib, no pyplot: no global state, no display).

Each ``draw_*`` fills one ``Axes`` so that the same drawing goes into its own PNG and
into the one-page PDF. Labels are Vietnamese; the font is one with every Vietnamese
glyph (Noto Sans, else DejaVu Sans, both Debian packages), never a fallback that would
draw boxes for ắ or ự.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

from matplotlib import font_manager
from matplotlib.figure import Figure

from kiosk.reports.figures import EXPIRY_DAYS, Figures

FONTS = ["Noto Sans", "DejaVu Sans"]
BLUE, GREEN, ORANGE, GREY, RED = "#2a6fb0", "#3a9a5b", "#e08a1e", "#888888", "#c0392b"
EMPTY = "Không có số liệu trong kỳ"
CHARTS = {"deposits-pickups": "Hồ sơ nhận và kết quả đã trả theo ngày",
          "busiest-procedures": "10 thủ tục có nhiều hồ sơ nhất",
          "result-wait": "Thời gian từ lúc nạp kết quả đến lúc nhận",
          "tray-occupancy": "Số ngăn đang chứa hồ sơ hoặc kết quả",
          "ratings": "Đánh giá của người dân"}


def font_family() -> list[str]:
    """The installed fonts of ``FONTS``; raises naming the package when none is."""
    have = {f.name for f in font_manager.fontManager.ttflist}
    found = [f for f in FONTS if f in have]
    if not found:
        raise RuntimeError("no font with Vietnamese glyphs for the charts: install "
                           "fonts-noto-core or fonts-dejavu-core")
    return found


# Axes places of a single chart (left, bottom, right, top as fractions): fixed, since a
# layout engine measuring every label would double the time to draw.
MARGINS = {"busiest-procedures": (0.42, 0.11, 0.96, 0.91)}
DEFAULT_MARGINS = (0.08, 0.11, 0.98, 0.91)


def new_figure(width: float, height: float, name: str = "") -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    left, bottom, right, top = MARGINS.get(name, DEFAULT_MARGINS)
    fig.subplots_adjust(left=left, bottom=bottom, right=right, top=top)
    return fig


def style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _empty(ax) -> None:
    ax.text(0.5, 0.5, EMPTY, ha="center", va="center", transform=ax.transAxes,
            color=GREY, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])


def draw_deposits_pickups(ax, f: Figures, small: bool = False) -> None:
    days = f.days
    dep = [f.per_day[d]["deposited"] for d in days]
    out = [f.per_day[d]["picked_up"] for d in days]
    ax.set_title(CHARTS["deposits-pickups"], fontsize=10 if small else 12)
    if not any(dep) and not any(out):
        return _empty(ax)
    x = range(len(days))
    w = 0.4
    ax.bar([i - w / 2 for i in x], dep, w, label="Hồ sơ nhận", color=BLUE)
    ax.bar([i + w / 2 for i in x], out, w, label="Kết quả đã trả", color=GREEN)
    step = max(1, len(days) // (8 if small else 15))
    ax.set_xticks(list(x)[::step], [f"{d:%d/%m}" for d in days][::step],
                  fontsize=7 if small else 9)
    ax.set_ylabel("số hồ sơ")
    ax.set_ylim(0, max(dep + out) * 1.22)          # room for the legend above the bars
    ax.legend(fontsize=8, frameon=False, ncol=2, loc="upper right")
    style(ax)


def draw_busiest(ax, f: Figures, small: bool = False) -> None:
    ax.set_title(CHARTS["busiest-procedures"], fontsize=10 if small else 12)
    if not f.busiest:
        return _empty(ax)
    items = list(reversed(f.busiest))
    width = 34 if small else 48
    labels = [textwrap.shorten(f"{code} {name}" if name else code, width,
                               placeholder="…") for code, name, _ in items]
    ax.barh(range(len(items)), [n for *_, n in items], color=BLUE)
    ax.set_yticks(range(len(items)), labels, fontsize=6.5 if small else 9)
    for i, (*_, n) in enumerate(items):
        ax.text(n, i, f" {n}", va="center", fontsize=7 if small else 9)
    ax.set_xlabel("hồ sơ nhận")
    ax.spines[["top", "right"]].set_visible(False)


def draw_wait(ax, f: Figures, small: bool = False) -> None:
    ax.set_title(CHARTS["result-wait"], fontsize=10 if small else 12)
    if not f.waits_h:
        return _empty(ax)
    limit = EXPIRY_DAYS * 24
    top = max(limit + 12, max(f.waits_h) + 1)
    bins = [i * 6 for i in range(int(top // 6) + 2)]
    ax.hist(f.waits_h, bins=bins, color=BLUE, edgecolor="white")
    ax.axvline(limit, color=RED, linewidth=1.6, linestyle="--")
    ax.text(limit, ax.get_ylim()[1] * 0.97, f"hết hạn {EXPIRY_DAYS} ngày\n({limit} giờ) ",
            color=RED, fontsize=7.5 if small else 10, va="top", ha="right")
    late = sum(1 for h in f.waits_h if h > limit)
    ax.set_xlabel(f"giờ (nhận sau hạn: {late} / {len(f.waits_h)})")
    ax.set_ylabel("số hồ sơ")
    ax.set_xticks(range(0, int(top) + 1, 12))
    style(ax)


def draw_occupancy(ax, f: Figures, small: bool = False) -> None:
    ax.set_title(CHARTS["tray-occupancy"], fontsize=10 if small else 12)
    if not f.occupancy:
        return _empty(ax)
    peaks = f.hourly_peaks()
    xs = [t for t, _ in peaks]
    ys = [n for _, n in peaks]
    ax.step(xs, ys, where="post", color=ORANGE, linewidth=1.0,
            label="cao nhất trong mỗi giờ")
    ax.fill_between(xs, ys, step="post", color=ORANGE, alpha=0.25)
    if f.trays:
        ax.axhline(f.trays, color=GREY, linewidth=1, linestyle=":")
        ax.text(xs[0], f.trays, f"tổng số ngăn: {f.trays}", fontsize=8, va="bottom",
                color=GREY)
        ax.set_ylim(0, f.trays * 1.12)
    import matplotlib.dates as mdates
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m", tz=f.zone))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(tz=f.zone, maxticks=8 if small else 14))
    ax.tick_params(axis="x", labelsize=7 if small else 9)
    ax.set_ylabel("số ngăn")
    style(ax)


def draw_ratings(ax, f: Figures, small: bool = False) -> None:
    n = sum(f.scores.values())
    mean = f.totals.get("rating_mean")
    title = CHARTS["ratings"] + (f": trung bình {mean:.2f} / 5" if n else "")
    ax.set_title(title, fontsize=10 if small else 12)
    if not n:
        return _empty(ax)
    stars = list(range(1, 6))
    colors = [RED, ORANGE, GREY, "#7fb069", GREEN]
    ax.bar([f"{s} sao" for s in stars], [f.scores[s] for s in stars], color=colors)
    for i, s in enumerate(stars):
        ax.text(i, f.scores[s], str(f.scores[s]), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("lượt đánh giá")
    ax.set_xlabel(f"{n} lượt đánh giá")
    style(ax)


DRAW = {"deposits-pickups": draw_deposits_pickups, "busiest-procedures": draw_busiest,
        "result-wait": draw_wait, "tray-occupancy": draw_occupancy, "ratings": draw_ratings}


def write_charts(f: Figures, out: Path) -> list[Path]:
    """One PNG per chart in ``out``; their paths."""
    import matplotlib
    paths = []
    with matplotlib.rc_context({"font.family": font_family()}):
        for name, draw in DRAW.items():
            fig = new_figure(9, 5 if name != "busiest-procedures" else 5.5, name)
            draw(fig.add_subplot(), f)
            path = out / f"chart-{name}.png"
            fig.savefig(path, dpi=110)
            paths.append(path)
    return paths
