"""办理结果 as clerks write it → leaf code of table 三 (pipeline.outcomes.parse), table-driven.

The leaves below are copied by hand from report_tables.yaml (table requests):
the group label, the sub-item label with its official numbering, and the code.
"""

import pytest

from pipeline.outcomes import closest, parse

# (group as printed, sub-item as printed, leaf code)
LEAVES = [
    ("（三）不予公开", "1.属于国家秘密", "withheld.state_secret"),
    ("（三）不予公开", "2.其他法律行政法规禁止公开", "withheld.law_prohibited"),
    ("（三）不予公开", "3.危及“三安全一稳定”", "withheld.security_stability"),
    ("（三）不予公开", "4.保护第三方合法权益", "withheld.third_party"),
    ("（三）不予公开", "5.属于三类内部事务信息", "withheld.internal_affairs"),
    ("（三）不予公开", "6.属于四类过程性信息", "withheld.process_info"),
    ("（三）不予公开", "7.属于行政执法案卷", "withheld.enforcement_file"),
    ("（三）不予公开", "8.属于行政查询事项", "withheld.query_matter"),
    ("（四）无法提供", "1.本机关不掌握相关政府信息", "unavailable.not_held"),
    ("（四）无法提供", "2.没有现成信息需要另行制作", "unavailable.needs_creation"),
    ("（四）无法提供", "3.补正后申请内容仍不明确", "unavailable.unclear"),
    ("（五）不予处理", "1.信访举报投诉类申请", "not_processed.petition"),
    ("（五）不予处理", "2.重复申请", "not_processed.duplicate"),
    ("（五）不予处理", "3.要求提供公开出版物", "not_processed.publication"),
    ("（五）不予处理", "4.无正当理由大量反复申请", "not_processed.vexatious"),
    ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息", "not_processed.confirmation"),
    ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other.no_correction"),
    ("（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other.no_fee"),
    ("（六）其他处理", "3.其他", "other.other"),
]
SEPARATORS = ["-", "－", "—", "/", "／", ":", "："]


def _bare(label: str) -> str:
    """A printed label without its numbering: "（三）不予公开" → "不予公开", "1.属于国家秘密" → "属于国家秘密"."""
    return label.split("）", 1)[1] if label.startswith("（") else label.split(".", 1)[1]


def _spellings(group: str, sub: str) -> list[str]:
    """The ways inputs.md allows one leaf to be written."""
    parent, bare = _bare(group), _bare(sub)
    return [
        bare,  # 属于国家秘密
        sub,  # 1.属于国家秘密
        *(f"{parent}{sep}{bare}" for sep in SEPARATORS),  # 不予公开-属于国家秘密 …
        *(f"{group}{sep}{sub}" for sep in SEPARATORS),  # （三）不予公开：1.属于国家秘密 …
        f"“{parent}”-“{bare}”",
        f"「{bare}」",
        f"'{group}/{sub}'",
        f'"{bare}"',
        f"〝{parent}〞：{bare}",
        f" {parent} - {bare} ",  # spaces around the separator and the text
    ]


@pytest.mark.parametrize(
    "text, code",
    [(s, code) for group, sub, code in LEAVES for s in _spellings(group, sub)],
)
def test_every_leaf_in_every_allowed_spelling(text, code):
    assert parse(text) == (code, None)


@pytest.mark.parametrize(
    "text, code",
    [
        ("予以公开", "disclosed"),
        ("（一）予以公开", "disclosed"),
        ("“予以公开”", "disclosed"),
        ("部分公开", "partial"),
        ("（二）部分公开", "partial"),
        # the full official label, with its parenthesised note
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partial"),
        # 其他处理 alone: the stored code is `other`; the table's SQL turns it
        # into （六）其他处理 (2019 format) or 3.其他 (2021 format)
        ("其他处理", "other"),
        ("（六）其他处理", "other"),
        ("‘其他处理’", "other"),
        # full-width digits and dot are folded: １．属于国家秘密 is 1.属于国家秘密
        ("１．属于国家秘密", "withheld.state_secret"),
        ("（５）重复申请", "not_processed.duplicate"),
    ],
)
def test_top_level_outcomes_and_folded_spellings(text, code):
    assert parse(text) == (code, None)


@pytest.mark.parametrize("text", ["不予公开", "（三）不予公开", "无法提供", "（四）无法提供", "不予处理", "“不予处理”"])
def test_a_parent_alone_is_not_an_outcome(text):
    # a bare parent says nothing about which of its sub-item rows to count
    assert parse(text) == (None, "outcome_parent_only")


@pytest.mark.parametrize(
    "text, nearest",
    [
        # the sub-item exists, but under 无法提供, not 不予公开
        ("不予公开-本机关不掌握相关政府信息", "无法提供-本机关不掌握相关政府信息"),
        ("予以公开了", "予以公开"),
        ("不予公开-属于国家机密", "不予公开-属于国家秘密"),
        ("重复的申请", "不予处理-重复申请"),
    ],
)
def test_unknown_text_is_an_error_and_the_closest_outcomes_are_offered(text, nearest):
    assert parse(text) == (None, "outcome_unknown")
    offered = closest(text)
    assert len(offered) == 3
    assert offered[0] == nearest
