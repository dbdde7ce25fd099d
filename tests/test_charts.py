"""Charts and the CJK font: plotted values read back from the figures, files, glyphs."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from pipeline import charts, fonts

AGENCY = "测试镇人民政府"
YEAR = 2019
CHANNELS = {"website": "政府网站", "weibo": "政务微博", "wechat": "政务微信"}
OUTCOMES = ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
APPLICANT_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def missing_glyph_is_error():
    """Any 'Glyph … missing from font' warning (a tofu box in the chart) fails the test."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph \d+ .* missing from font")
        yield


def render(fig) -> None:
    """Draw the figure in both output formats (missing glyphs are reported at draw time)."""
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt)


def items_frame(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {"channel": [c for c, _ in rows], "published": pd.to_datetime([d for _, d in rows])}
    )


# website: 3 in January (weeks 1, 3, 5), 1 in March (week 10);
# weibo: 2 in week 1 (1 and 6 January), 1 in week 2 (7 January); wechat: 31 December (week 53).
SMALL_ITEMS = items_frame([
    ("website", "2019-01-02"), ("website", "2019-01-15"), ("website", "2019-01-31"),
    ("website", "2019-03-05"),
    ("weibo", "2019-01-01"), ("weibo", "2019-01-06"), ("weibo", "2019-01-07"),
    ("wechat", "2019-12-31"),
])


def heights(container) -> list[float]:
    return [patch.get_height() for patch in container]


def texts(artists) -> list[str]:
    return [a.get_text() for a in artists]


# --------------------------------------------------------------------- fonts


def test_setup_returns_noto_and_never_simhei():
    import matplotlib
    from matplotlib import font_manager

    def noto_entries() -> int:
        path = fonts.font_path().resolve()
        return sum(Path(f.fname).resolve() == path for f in font_manager.fontManager.ttflist)

    assert fonts.setup() == "Noto Sans CJK SC"
    registered_once = noto_entries()
    assert registered_once >= 1
    assert fonts.setup() == "Noto Sans CJK SC"
    assert noto_entries() == registered_once  # idempotent: not added again
    resolved = fonts.resolved_font_file()
    assert resolved.name == "NotoSansCJKsc-Regular.otf"
    assert "simhei" not in str(resolved).lower()
    registered = [Path(f.fname) for f in font_manager.fontManager.ttflist]
    assert not [p for p in registered if "simhei" in p.name.lower()]
    assert matplotlib.rcParams["font.family"] == ["sans-serif"]
    assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"
    assert "SimHei" not in matplotlib.rcParams["font.sans-serif"]
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    assert matplotlib.rcParams["svg.fonttype"] == "path"


def test_a_chart_process_warms_up_with_matplotlib_and_the_cjk_font_loaded():
    # What publish.chart_pool has each chart process do first, in a fresh interpreter.
    probe = (
        "import sys; from pipeline import charts, fonts; assert 'matplotlib' not in sys.modules; charts.warm_up(); "
        "from matplotlib import ft2font; from matplotlib.font_manager import _get_font; "
        "print(sorted(m for m in ('matplotlib.backends.backend_agg', 'matplotlib.backends.backend_svg') if m in sys.modules), "
        "_get_font.cache_info().currsize > 0, fonts.resolved_font_file().name)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["['matplotlib.backends.backend_agg',", "'matplotlib.backends.backend_svg']", "True", "NotoSansCJKsc-Regular.otf"]


def test_missing_glyph_fixture_is_active():
    fonts.setup()
    from matplotlib.figure import Figure

    fig = Figure()
    fig.text(0.5, 0.5, "政务\ue000")  # a private-use code point no font has
    with pytest.raises(UserWarning, match="missing from font"):
        render(fig)


def test_importing_charts_does_not_import_matplotlib_or_pandas():
    code = ("import sys, pipeline.charts, pipeline.fonts; "
            "print(sorted(m for m in ('matplotlib', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------- weeks


def test_week_table_2019():
    weeks = charts.week_table(2019)
    assert len(weeks) == 53
    assert (weeks.loc[1, "start"], weeks.loc[1, "end"], weeks.loc[1, "days"]) == (
        dt.date(2019, 1, 1), dt.date(2019, 1, 6), 6)
    assert (weeks.loc[2, "start"], weeks.loc[2, "days"]) == (dt.date(2019, 1, 7), 7)
    assert (weeks.loc[53, "start"], weeks.loc[53, "end"], weeks.loc[53, "days"]) == (
        dt.date(2019, 12, 30), dt.date(2019, 12, 31), 2)
    assert weeks["days"].sum() == 365


@pytest.mark.parametrize("year, n_weeks, first_days, last_days",
                         [(2018, 53, 7, 1), (2020, 53, 5, 4), (2012, 54, 1, 1), (2023, 53, 1, 7)])
def test_week_table_covers_each_day_once(year, n_weeks, first_days, last_days):
    weeks = charts.week_table(year)
    assert (len(weeks), weeks["days"].iloc[0], weeks["days"].iloc[-1]) == (n_weeks, first_days, last_days)
    days = pd.Series(pd.date_range(f"{year}-01-01", f"{year}-12-31"))
    numbers = charts.week_number(days, year)
    for day, week in zip(days.dt.date, numbers):
        assert weeks.loc[week, "start"] <= day <= weeks.loc[week, "end"]
    assert numbers.value_counts().sort_index().tolist() == weeks["days"].tolist()


# --------------------------------------------------------------------- channels by month


def test_channels_by_month_plots_the_counts():
    fig = charts.channels_by_month_figure(SMALL_ITEMS, CHANNELS, AGENCY, YEAR)
    render(fig)
    (ax,) = fig.axes
    assert fig.get_suptitle() == "测试镇人民政府2019年各渠道每月发布条数"
    website, weibo, wechat = ax.containers
    assert heights(website) == [3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert heights(weibo) == [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert heights(wechat) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert [p.get_y() for p in weibo][:3] == [3, 0, 1]  # stacked on the website bars
    assert [p.get_y() for p in wechat][0] == 6
    assert texts(ax.texts) == ["6", "0", "1", "0", "0", "0", "0", "0", "0", "0", "0", "1"]
    assert texts(ax.get_xticklabels()) == [f"{m}月" for m in range(1, 13)]
    assert texts(ax.get_legend().get_texts()) == ["政府网站（全年4条）", "政务微博（全年3条）", "政务微信（全年1条）"]
    assert ax.get_ylabel() == "条数"
    assert ax.get_title() == "全年合计8条"


def test_channels_by_month_four_channels_and_date_objects():
    channels = {**CHANNELS, "toutiao": "政务头条号"}
    items = pd.DataFrame({"channel": ["toutiao", "toutiao", "website"],
                          "published": [dt.date(2019, 6, 1), dt.date(2019, 6, 30), dt.date(2019, 7, 1)]})
    fig = charts.channels_by_month_figure(items, channels, AGENCY, YEAR)
    render(fig)
    ax = fig.axes[0]
    assert len(ax.containers) == 4
    assert heights(ax.containers[3])[5] == 2
    assert heights(ax.containers[0])[6] == 1
    assert texts(ax.get_legend().get_texts())[3] == "政务头条号（全年2条）"


def test_no_items_still_draws_with_a_note(tmp_path):
    empty = pd.DataFrame({"channel": pd.Series([], dtype=str),
                          "published": pd.Series([], dtype="datetime64[ns]")})
    fig = charts.channels_by_month_figure(empty, CHANNELS, AGENCY, YEAR)
    render(fig)
    assert "本年度无发布记录" in texts(fig.axes[0].texts)
    assert len(charts.channel_charts(empty, CHANNELS, AGENCY, YEAR, tmp_path)) == 4


def test_unknown_channel_or_other_year_is_rejected():
    with pytest.raises(ValueError, match="未配置的渠道"):
        charts.monthly_counts(items_frame([("douyin", "2019-05-01")]), CHANNELS, YEAR)
    with pytest.raises(ValueError, match="不属于 2019 年"):
        charts.weekly_counts(items_frame([("weibo", "2020-01-01")]), CHANNELS, YEAR)


# --------------------------------------------------------------------- channels by week


def avg_line(ax):
    (line,) = [line for line in ax.get_lines() if line.get_label().startswith("周均")]
    return line


def test_channels_by_week_plots_the_counts():
    fig = charts.channels_by_week_figure(SMALL_ITEMS, CHANNELS, AGENCY, YEAR)
    render(fig)
    assert fig.get_suptitle() == "测试镇人民政府2019年各渠道每周发布条数"
    website, weibo, wechat = fig.axes
    expected = {website: {1: 1, 3: 1, 5: 1, 10: 1}, weibo: {1: 2, 2: 1}, wechat: {53: 1}}
    for ax, nonzero in expected.items():
        bars = ax.containers[0]
        assert len(bars) == 53
        assert [p.get_x() + p.get_width() / 2 for p in bars] == pytest.approx(range(1, 54))
        assert heights(bars) == [nonzero.get(w, 0) for w in range(1, 54)]
    assert avg_line(website).get_ydata()[0] == pytest.approx(4 * 7 / 365)
    assert avg_line(weibo).get_ydata()[0] == pytest.approx(3 * 7 / 365)
    (target,) = [line for line in website.get_lines() if line.get_label() == "每周5次"]
    assert target.get_ydata()[0] == 5 and target.get_linestyle() == ":"
    assert avg_line(website).get_linestyle() == "--"
    # weeks 2..52 are the complete weeks; all are below 5 in this sparse sample
    assert website.get_title(loc="left") == "政府网站：全年4条，51个完整周少于5条"
    assert wechat.get_title(loc="left") == "政务微信：全年1条，51个完整周少于5条"
    assert texts(website.get_legend().get_texts()) == ["周均 0.1 条", "每周5次", "少于5条的周（×为0条）"]
    assert website.get_xlabel() == "" and wechat.get_xlabel() == "周次"
    footnote = fig.get_supxlabel()
    assert "第1周（1月1日—1月6日，6天）" in footnote and "第53周（12月30日—12月31日，2天）" in footnote


def test_channels_by_week_counts_complete_weeks_below_five():
    # wechat posts every working day (Mon–Fri) except Friday 8 March (week 10)
    days = [d for d in pd.date_range("2019-01-01", "2019-12-31") if d.weekday() < 5]
    days = [d for d in days if d != pd.Timestamp("2019-03-08")]
    items = pd.DataFrame({"channel": "wechat", "published": days})
    fig = charts.channels_by_week_figure(items, {"wechat": "政务微信"}, AGENCY, YEAR)
    render(fig)
    (ax,) = fig.axes
    bars = ax.containers[0]
    assert heights(bars)[0] == 4 and heights(bars)[9] == 4 and heights(bars)[52] == 2
    assert heights(bars)[1:9] == [5] * 8
    assert ax.get_title(loc="left") == "政务微信：全年260条，1个完整周少于5条"
    assert avg_line(ax).get_ydata()[0] == pytest.approx(260 * 7 / 365)
    assert texts(ax.get_legend().get_texts())[0] == "周均 5.0 条"
    red = charts.WARN_COLOR
    from matplotlib.colors import same_color

    assert [w + 1 for w, p in enumerate(bars) if same_color(p.get_facecolor(), red)] == [10]
    assert bars[0].get_hatch() == "///" and bars[52].get_hatch() == "///" and bars[1].get_hatch() is None


# --------------------------------------------------------------------- requests

ROWS_2019 = ["new", "carried_in", "disclosed", "partial", "withheld.state_secret",
             "withheld.third_party", "unavailable.not_held", "not_processed.duplicate", "other",
             "result_total", "carried_out"]
ROWS_2021 = [r for r in ROWS_2019 if r != "other"]
ROWS_2021[ROWS_2021.index("result_total"):ROWS_2021.index("result_total")] = [
    "other.no_correction", "other.no_fee", "other.other"]


def requests_values(cells: dict[tuple[str, str], int], rows: list[str]) -> pd.DataFrame:
    """A values frame for table requests: every row × col, totals and result_total computed."""
    cols = list(charts.APPLICANTS)
    grid = {r: {c: cells.get((r, c), 0) for c in cols} for r in rows}
    grid["result_total"] = {c: sum(grid[r][c] for r in rows if r not in charts.NON_RESULT_ROWS)
                            for c in cols}
    records = [("appeals", "cases", "review.total", 99)]  # another table: ignored
    for r in rows:
        records += [("requests", r, c, grid[r][c]) for c in cols]
        records.append(("requests", r, "total", sum(grid[r].values())))
    return pd.DataFrame(records, columns=["table", "row_code", "col_code", "value"])


CELLS_2019 = {
    ("new", "natural_person"): 10, ("new", "business"): 3, ("new", "other_org"): 1,
    ("carried_in", "natural_person"): 3,
    ("disclosed", "natural_person"): 5, ("partial", "natural_person"): 2,
    ("withheld.state_secret", "natural_person"): 1, ("withheld.third_party", "business"): 2,
    ("unavailable.not_held", "natural_person"): 4, ("not_processed.duplicate", "other_org"): 1,
    ("other", "natural_person"): 1, ("carried_out", "business"): 1,
}


def test_requests_by_outcome_2019():
    values = requests_values(CELLS_2019, ROWS_2019)
    fig = charts.requests_by_outcome_figure(values, "2019", AGENCY, YEAR)
    render(fig)
    (ax,) = fig.axes
    assert fig.get_suptitle() == "测试镇人民政府2019年依申请公开办理结果"
    (bars,) = ax.containers
    assert [p.get_width() for p in bars] == [5, 2, 3, 4, 1, 1]
    assert texts(ax.get_yticklabels()) == OUTCOMES
    assert ax.yaxis_inverted()  # 予以公开 on top
    assert texts(ax.texts) == ["5", "2", "3", "4", "1", "1"]
    assert ax.get_title() == "办理结果合计16件（本年新收14件，上年结转3件，结转下年度1件）"


def test_requests_by_outcome_2021_sums_other_subitems():
    cells = {k: v for k, v in CELLS_2019.items() if k[0] != "other"}
    cells[("other.no_correction", "natural_person")] = 1
    cells[("other.other", "business")] = 2
    values = requests_values(cells, ROWS_2021)
    assert charts.request_outcomes(values, "2021").tolist() == [5, 2, 3, 4, 1, 3]
    fig = charts.requests_by_outcome_figure(values, "2021", AGENCY, 2021)
    render(fig)
    assert [p.get_width() for p in fig.axes[0].containers[0]] == [5, 2, 3, 4, 1, 3]
    assert "2021年" in fig.get_suptitle()


def test_requests_format_mismatch_and_bad_totals_are_rejected():
    with pytest.raises(ValueError, match="2021 格式没有的行"):
        charts.request_outcomes(requests_values(CELLS_2019, ROWS_2019), "2021")
    with pytest.raises(ValueError, match="2019 格式没有的行"):
        charts.request_outcomes(requests_values({}, ROWS_2021), "2019")
    with pytest.raises(ValueError, match="未知的统计表格式"):
        charts.request_outcomes(requests_values(CELLS_2019, ROWS_2019), "2020")
    values = requests_values(CELLS_2019, ROWS_2019)
    values.loc[(values["row_code"] == "result_total") & (values["col_code"] == "total"), "value"] = 15
    with pytest.raises(ValueError, match="不等于（七）总计 15"):
        charts.request_outcomes(values, "2019")


def test_requests_by_applicant():
    values = requests_values(CELLS_2019, ROWS_2019)
    fig = charts.requests_by_applicant_figure(values, AGENCY, YEAR)
    render(fig)
    (ax,) = fig.axes
    assert AGENCY in fig.get_suptitle() and "2019年" in fig.get_suptitle()
    assert heights(ax.containers[0]) == [10, 3, 0, 0, 0, 1]
    assert texts(ax.get_xticklabels()) == APPLICANT_LABELS
    assert texts(ax.texts)[:6] == ["10", "3", "0", "0", "0", "1"]
    assert "法人或其他组织" in texts(ax.texts)
    assert ax.get_title() == "本年新收申请14件"


def test_requests_by_applicant_integer_ticks_with_small_counts():
    values = requests_values({("new", "research"): 1, ("disclosed", "research"): 1}, ROWS_2019)
    fig = charts.requests_by_applicant_figure(values, AGENCY, YEAR)
    render(fig)
    ticks = fig.axes[0].get_yticks()
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)
    assert heights(fig.axes[0].containers[0]) == [0, 0, 1, 0, 0, 0]


def test_requests_all_zero_draws_notes(tmp_path):
    values = requests_values({}, ROWS_2019)
    outcome = charts.requests_by_outcome_figure(values, "2019", AGENCY, YEAR)
    applicant = charts.requests_by_applicant_figure(values, AGENCY, YEAR)
    for fig in (outcome, applicant):
        render(fig)
        assert "本年度无依申请公开申请" in texts(fig.axes[0].texts)
    assert [p.get_width() for p in outcome.axes[0].containers[0]] == [0] * 6
    paths = charts.request_charts(values, "2019", AGENCY, YEAR, tmp_path)
    assert all(p.stat().st_size > 0 for p in paths)


def test_requests_only_carried_in_notes_no_new_requests():
    values = requests_values({("carried_in", "natural_person"): 2,
                              ("disclosed", "natural_person"): 2}, ROWS_2019)
    outcome = charts.requests_by_outcome_figure(values, "2019", AGENCY, YEAR)
    applicant = charts.requests_by_applicant_figure(values, AGENCY, YEAR)
    assert "本年度无依申请公开申请" not in texts(outcome.axes[0].texts)
    assert "本年度无新收申请" in texts(applicant.axes[0].texts)


# --------------------------------------------------------------------- files


def check_files(paths: list[Path], out_dir: Path, stems: list[str]) -> None:
    from PIL import Image

    assert paths == [out_dir / f"{s}.{ext}" for s in stems for ext in ("png", "svg")]
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(p.name for p in paths)  # no temp files
    for path in paths:
        assert path.stat().st_size > 0
        if path.suffix == ".png":
            with Image.open(path) as img:
                assert img.format == "PNG"
                assert img.info["dpi"] == pytest.approx((150, 150), abs=0.1)  # stored per metre
        else:
            svg = path.read_text(encoding="utf-8")
            assert svg.lstrip().startswith("<?xml") and "<svg" in svg
            assert "<text" not in svg  # svg.fonttype=path: glyphs are outlines


def test_channel_charts_write_png_and_svg(tmp_path):
    out = tmp_path / "charts"
    paths = charts.channel_charts(SMALL_ITEMS, CHANNELS, AGENCY, YEAR, out)
    check_files(paths, out, ["channels_by_month", "channels_by_week"])


def test_request_charts_write_png_and_svg(tmp_path):
    paths = charts.request_charts(requests_values(CELLS_2019, ROWS_2019), "2019", AGENCY, YEAR, tmp_path)
    check_files(paths, tmp_path, ["requests_by_outcome", "requests_by_applicant"])


def test_svg_is_reproducible(tmp_path):
    values = requests_values(CELLS_2019, ROWS_2019)
    first = charts.request_charts(values, "2019", AGENCY, YEAR, tmp_path / "a")
    second = charts.request_charts(values, "2019", AGENCY, YEAR, tmp_path / "b")
    for a, b in zip(first, second):
        if a.suffix == ".svg":
            assert a.read_bytes() == b.read_bytes()
