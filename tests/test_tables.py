"""Table definitions: rows, columns and cells per format, counted by hand from report_tables.yaml."""

import pytest

from pipeline.tables import FORMATS, is_money, layout, table_names

CHANNELS = {"website": "政府网站", "weibo": "政务微博", "wechat": "政务微信"}
RESULTS = "三、本年度办理结果"


def lay(name, fmt, channels=CHANNELS):
    return layout(name, fmt, channels)


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_table_names(fmt):
    assert table_names(fmt) == ["channels", "proactive", "requests", "appeals"]


def test_unknown_format_and_table():
    with pytest.raises(ValueError, match="2020"):
        table_names("2020")
    with pytest.raises(ValueError, match="summary"):
        layout("summary", "2019", CHANNELS)


@pytest.mark.parametrize(
    ("name", "fmt", "n_rows", "n_cols", "n_cells"),
    [
        ("channels", "2019", 4, 13, 52),
        ("channels", "2021", 4, 13, 52),
        # 2019: (一) 2×3, (五) 2×3, (六) 2×3, (八) 1×2, (九) 1×2 = 22
        ("proactive", "2019", 8, 13, 22),
        # 2021: (一) 2×3, (五) 1×1, (六) 2×1, (八) 1×1 = 10
        ("proactive", "2021", 6, 6, 10),
        # 一, 二, 20 result rows, 四 = 23 rows; 2021: 22 result rows = 25
        ("requests", "2019", 23, 7, 161),
        ("requests", "2021", 25, 7, 175),
        ("appeals", "2019", 1, 15, 15),
        ("appeals", "2021", 1, 15, 15),
    ],
)
def test_sizes(name, fmt, n_rows, n_cols, n_cells):
    t = lay(name, fmt)
    assert (len(t.rows), len(t.cols), len(t.cells)) == (n_rows, n_cols, n_cells)
    assert len(set(t.cells)) == n_cells
    assert t.cells == tuple((r.code, c.code) for r, c in t.grid)


def test_titles():
    titles = {n: lay(n, "2021").title for n in table_names("2021")}
    assert titles == {
        "channels": "主动公开信息发布渠道统计",
        "proactive": "二、主动公开政府信息情况",
        "requests": "三、收到和处理政府信息公开申请情况",
        "appeals": "四、政府信息公开行政复议、行政诉讼情况",
    }


def test_format_names():
    assert FORMATS == {
        "2019": "2019年版格式（国办公开办函〔2019〕60号）",
        "2021": "2021年版格式（国办公开办函〔2021〕30号）",
    }


def test_channels_follow_configuration():
    t = layout("channels", "2021", {**CHANNELS, "toutiao": "政务头条号"})
    assert [(r.code, r.label) for r in t.rows] == [
        ("website", "政府网站"),
        ("weibo", "政务微博"),
        ("wechat", "政务微信"),
        ("toutiao", "政务头条号"),
        ("total", "合计"),
    ]
    assert [c.code for c in t.cols] == ["count"] + [f"m{m:02d}" for m in range(1, 13)]
    assert [c.label for c in t.cols][:3] == ["全年发布条数", "1月", "2月"]
    assert t.cols[-1].label == "12月"
    assert t.corner == "渠道"
    assert len(t.cells) == 5 * 13


def test_channel_named_total_is_refused():
    with pytest.raises(ValueError, match="total"):
        layout("channels", "2019", {"total": "合计渠道"})


@pytest.mark.parametrize(
    ("cell", "in_2019", "in_2021"),
    [
        (("rules", "made"), True, False),
        (("rules", "issued"), False, True),
        (("normative_docs", "in_force"), False, True),
        (("licensing", "prev_items"), True, False),
        (("licensing", "change"), True, False),
        (("licensing", "decisions"), True, True),
        (("other_services", "decisions"), True, False),
        (("penalty", "decisions"), True, True),
        (("fees", "prev_items"), True, False),
        (("fees", "amount"), False, True),
        (("fees", "decisions"), False, False),
        (("procurement", "projects"), True, False),
        (("procurement", "amount"), True, False),
        (("rules", "amount"), False, False),
    ],
)
def test_proactive_cells_stay_within_group_and_format(cell, in_2019, in_2021):
    assert (cell in lay("proactive", "2019").cells) is in_2019
    assert (cell in lay("proactive", "2021").cells) is in_2021


def test_proactive_labels_follow_format():
    def labels(fmt):
        t = lay("proactive", fmt)
        return {(r.code, c.code): (r.label, c.label, c.parent) for r, c in t.grid}

    old, new = labels("2019"), labels("2021")
    assert old["normative_docs", "made"] == ("规范性文件", "本年新制作数量", "第二十条第（一）项")
    assert new["normative_docs", "issued"] == ("行政规范性文件", "本年制发件数", "第二十条第（一）项")
    assert old["licensing", "decisions"] == ("行政许可", "处理决定数量", "第二十条第（五）项")
    assert new["licensing", "decisions"] == ("行政许可", "本年处理决定数量", "第二十条第（五）项")
    assert old["enforcement", "change"] == ("行政强制", "本年增/减", "第二十条第（六）项")
    assert new["fees", "amount"] == ("行政事业性收费", "本年收费金额（单位：万元）", "第二十条第（八）项")
    assert old["procurement", "amount"] == ("政府集中采购", "采购总金额", "第二十条第（九）项")
    assert {r.group for r in lay("proactive", "2021").rows} == {
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    }
    assert lay("proactive", "2019").corner == "信息内容"


def test_requests_rows_per_format():
    old = [r.code for r in lay("requests", "2019").rows]
    new = [r.code for r in lay("requests", "2021").rows]
    assert "other" in old and not any(c.startswith("other.") for c in old)
    assert "other" not in new
    assert new[new.index("not_processed.confirmation") + 1 :] == [
        "other.no_correction",
        "other.no_fee",
        "other.other",
        "result_total",
        "carried_out",
    ]
    assert old[:4] == ["new", "carried_in", "disclosed", "partial"]
    assert old[-3:] == ["other", "result_total", "carried_out"]


def test_requests_row_labels_and_nesting():
    rows = {r.code: r for r in lay("requests", "2021").rows}
    assert rows["new"].path == ("一、本年新收政府信息公开申请数量",)
    assert rows["new"].group is None
    assert rows["partial"].path == (RESULTS, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    assert rows["withheld.security_stability"].path == (RESULTS, "（三）不予公开", "3.危及“三安全一稳定”")
    assert rows["withheld.security_stability"].group == "（三）不予公开"
    assert rows["other.no_fee"].label == "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    assert rows["other.no_fee"].path[:2] == (RESULTS, "（六）其他处理")
    assert rows["carried_out"].path == ("四、结转下年度继续办理",)
    old = {r.code: r for r in lay("requests", "2019").rows}
    assert old["other"].path == (RESULTS, "（六）其他处理")


@pytest.mark.parametrize(("fmt", "n"), [("2019", 20), ("2021", 22)])
def test_requests_result_rows(fmt, n):
    assert sum(r.path[0] == RESULTS for r in lay("requests", fmt).rows) == n


def test_requests_columns():
    t = lay("requests", "2019")
    assert [(c.code, c.label, c.parent) for c in t.cols] == [
        ("natural_person", "自然人", None),
        ("business", "商业企业", "法人或其他组织"),
        ("research", "科研机构", "法人或其他组织"),
        ("nonprofit", "社会公益组织", "法人或其他组织"),
        ("legal_services", "法律服务机构", "法人或其他组织"),
        ("other_org", "其他", "法人或其他组织"),
        ("total", "总计", None),
    ]
    assert t.cols[1].path == ("法人或其他组织", "商业企业")
    assert t.corner == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert t.banner == "申请人情况"


def test_appeals_columns():
    t = lay("appeals", "2021")
    cols = {c.code: c for c in t.cols}
    assert [c.code for c in t.cols][:6] == [
        "review.upheld",
        "review.corrected",
        "review.other",
        "review.pending",
        "review.total",
        "lit_direct.upheld",
    ]
    assert cols["review.upheld"].label == "行政复议/结果维持"
    assert cols["review.upheld"].parent == "行政复议"
    assert cols["lit_direct.upheld"].label == "行政诉讼/未经复议直接起诉/结果维持"
    assert cols["lit_direct.upheld"].path == ("行政诉讼", "未经复议直接起诉", "结果维持")
    assert cols["lit_after_review.total"].label == "行政诉讼/复议后起诉/总计"
    assert cols["lit_after_review.pending"].parent == "行政诉讼"
    assert sum(c.parent == "行政诉讼" for c in t.cols) == 10
    assert [(r.code, r.label, r.path) for r in t.rows] == [("cases", "件数", ())]


def test_money_columns():
    assert is_money("proactive", "amount")
    assert not is_money("proactive", "projects")
    assert not is_money("requests", "total")
