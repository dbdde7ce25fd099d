"""Cell normalisers (pipeline/normalise.py) and text folding (pipeline/text.py), table-driven."""

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pipeline import normalise as nz
from pipeline.text import fold, header_key, squash


def series(values) -> pd.Series:
    return pd.Series(values, dtype=object)


def plain(s: pd.Series) -> list:
    """Values with every kind of missing as None."""
    return [None if pd.isna(v) else v for v in s]


GOOD_DATES = [
    # Excel date and datetime cells (the time is dropped)
    (dt.date(2019, 3, 5), "2019-03-05"),
    (dt.datetime(2019, 3, 5, 23, 59, 59), "2019-03-05"),
    (pd.Timestamp("2019-03-05 13:00"), "2019-03-05"),
    # Excel serial days, 1900 system; a fraction is the time of day
    (43529, "2019-03-05"),
    (43529.999, "2019-03-05"),
    (np.float64(43466), "2019-01-01"),
    (61, "1900-03-01"),
    (2958465, "9999-12-31"),
    # 8-digit whole numbers 19000101..29991231 are yyyymmdd
    (20190305, "2019-03-05"),
    (20190305.0, "2019-03-05"),
    (np.int64(20200229), "2020-02-29"),
    (19000101, "1900-01-01"),
    (29991231, "2999-12-31"),
    # text
    ("2019-03-05", "2019-03-05"),
    ("2019-3-5", "2019-03-05"),
    ("2019/03/05", "2019-03-05"),
    ("2019/3/5", "2019-03-05"),
    ("2019.3.5", "2019-03-05"),
    ("2019.03.05", "2019-03-05"),
    ("20190305", "2019-03-05"),
    ("2019年3月5日", "2019-03-05"),
    ("2019年03月05日", "2019-03-05"),
    ("2019-03-05 00:00", "2019-03-05"),
    ("2019-03-05 23:59:59", "2019-03-05"),
    ("2019/3/5 8:05", "2019-03-05"),
    ("2019-03-05T08:00", "2019-03-05"),
    ("2019-03-05T08:00:30", "2019-03-05"),
    ("20190305 13:35", "2019-03-05"),
    ("2019年3月5日 13:35:00", "2019-03-05"),
    ("  2019-03-05  ", "2019-03-05"),
    ("２０１９.３.５", "2019-03-05"),
    ("２０１９－０３－０５　１３：３５", "2019-03-05"),
    ("2020-02-29", "2020-02-29"),
]
BAD_DATES = [
    "2019-02-30", "2019-02-29", "2019-13-01", "2019-00-10", "2019-03-00",  # impossible
    "2019-3/5", "2019/3-5", "2019.3/5",  # mixed separators
    "2019-03-05 24:00", "2019-03-05 25:00", "2019-03-05 12:60", "2019-03-05 12:30:60",  # impossible time
    "2019-03-05 13", "2019-03-05 13:5", "2019-03-05  13:35", "2019-03-05x",  # not a time
    "明天", "2019-03", "190305", "2019030", "03/05/2019", "2019年3月5", "19-3-5",
    20190230,  # 8 digits but no such day
    20190305.5, 0, -1, 2958466, True, dt.time(10, 0),
]


@pytest.mark.parametrize(("raw", "expected"), GOOD_DATES)
def test_dates_accepted(raw, expected):
    out = nz.dates(series([raw]))
    assert out.dtype == "datetime64[s]"
    assert plain(out) == [pd.Timestamp(expected)]


@pytest.mark.parametrize("raw", BAD_DATES)
def test_dates_refused(raw):
    assert plain(nz.dates(series([raw]))) == [None]


def test_dates_of_a_mixed_column_keep_their_rows():
    raw = series([None, "2019.3.5", 43530, "坏", dt.date(2019, 3, 7), "", np.nan])
    assert plain(nz.dates(raw)) == [None, pd.Timestamp("2019-03-05"), pd.Timestamp("2019-03-06"), None, pd.Timestamp("2019-03-07"), None, None]


def test_is_blank():
    raw = series([None, np.nan, "", "  ", "\u3000", "a", 0, 0.0, dt.date(2019, 3, 5)])
    assert nz.is_blank(raw).tolist() == [True, True, True, True, True, False, False, False, False]


def test_text_trims_and_writes_whole_numbers_without_point_zero():
    raw = series([" 标题 ", 12.0, 12.5, 7, None, np.nan, "   ", dt.date(2019, 3, 5), dt.datetime(2019, 3, 5, 13, 35)])
    assert plain(nz.text(raw)) == ["标题", "12", "12.5", "7", None, None, None, "2019-03-05", "2019-03-05T13:35:00"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣａｂｃ０１２", "ABCabc012"),
        ("！＃（）＊－／：", "!#()*-/:"),
        ("\u3000", " "),
        ("掌起，镇。", "掌起,镇。"),  # full-width comma folds; the ideographic full stop is not ASCII
        ("掌起镇", "掌起镇"),
    ],
)
def test_fold(raw, expected):
    assert fold(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 发布日期＊ ", "发布日期"),
        ("发布日期*", "发布日期"),
        ("发 布\n日期", "发布日期"),
        ("ＵＲＬ", "url"),
        ("Url", "url"),
        ("标题（必填）", "标题(必填)"),
        (None, ""),
        (2019, "2019"),
    ],
)
def test_header_key(raw, expected):
    assert header_key(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  掌起镇　召开   会议 ", "掌起镇 召开 会议"),
        ("ＡＢ\tＣ", "AB C"),
        ("掌起镇召开会议", "掌起镇召开会议"),
    ],
)
def test_squash(raw, expected):
    assert squash(raw) == expected


def test_title_key_trims_folds_and_collapses_spaces():
    raw = pd.Series([" 掌起镇　召开  会议 ", "ＡＢＣ村 通报", "掌起镇召开会议", None], dtype="str")
    assert plain(nz.title_key(raw)) == ["掌起镇 召开 会议", "ABC村 通报", "掌起镇召开会议", None]


# Every character Python's str.isspace() accepts (the set SPACE_CLASS spells out), and characters whose
# UTF-8 bytes begin like theirs but are not spaces (quotes, dashes, 《》 and 、 are common in titles).
SPACES = [c for c in map(chr, range(0x3001)) if c.isspace()]
LOOKALIKES = ["“", "”", "—", "…", "《", "》", "、", "©", "\u1681", "\u200b", "\u2060", "\u205e", "\u3001", "\u00a1"]


def test_spaced_marks_exactly_the_rows_that_hold_a_space():
    rows = [f"{a}{c}{b}" for c in SPACES + LOOKALIKES for a, b in (("", ""), ("标题", ""), ("", "x"), ("ab", "公告"))]
    texts = pa.array(["前", *rows, None, ""], pa.large_string())[1:]  # a slice: offsets do not start at 0
    assert nz._spaced(texts).tolist() == [any(ch.isspace() for ch in r) for r in rows] + [False, False]
    assert len(SPACES) == 29


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.zhangqi.gov.cn/art/1.html", "www.zhangqi.gov.cn/art/1.html"),
        ("http://WWW.ZhangQi.gov.cn/art/1.html/", "www.zhangqi.gov.cn/art/1.html"),
        ("HTTPS://Weibo.com/zqfb/HzQ7pKx2m", "weibo.com/zqfb/HzQ7pKx2m"),  # the path keeps its case
        (" weibo.com/zqfb/HzQ7pKx2m/ ", "weibo.com/zqfb/HzQ7pKx2m"),
        ("https://weibo.com/", "weibo.com"),
        ("ｈｔｔｐｓ：／／Ｗｅｉｂｏ．ｃｏｍ／ａ", "weibo.com/a"),
        ("https://mp.weixin.qq.com/s?__biz=MzA&mid=1", "mp.weixin.qq.com/s?__biz=MzA&mid=1"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_link_key(raw, expected):
    assert plain(nz.link_key(pd.Series([raw], dtype=object))) == [expected]


def test_numbers():
    raw = series([3, 2.5, "1,234.5", "１２", " 7 ", "abc", "", None, True, np.nan, "-5", "１２．５", np.int64(4)])
    assert plain(nz.numbers(raw)) == [3.0, 2.5, 1234.5, 12.0, 7.0, None, None, None, None, None, -5.0, 12.5, 4.0]
    assert nz.numbers(raw).dtype == "Float64"


def test_whole_numbers():
    raw = series([3, 3.0, "12", 2.5, "2.5", "x", None, "２０１９", -1, "1,000"])
    assert plain(nz.whole_numbers(raw)) == [3, 3, 12, None, None, None, None, 2019, -1, 1000]
    assert nz.whole_numbers(raw).dtype == "Int64"


def test_choice_ignores_spaces_and_width():
    accepted = {"自然人": "natural_person", "公民": "natural_person", "商业企业": "business", "ABC": "abc"}
    raw = series([" 公 民 ", "自然人", "商业企业", "企业", "ＡＢＣ", None, 5])
    assert plain(nz.choice(raw, accepted)) == ["natural_person", "natural_person", "business", None, "abc", None, None]
