"""办理结果 as clerks write it → one leaf outcome code of table 三 (requests).

Leaves are stored at their finest (2021) level; the SQL of table 三 folds the
2021 sub-items of 其他处理 into `other` for 2019-format years.
"""

from __future__ import annotations

import difflib
import re

from pipeline.text import fold

# parent label → {sub-item label (without numbering): leaf code}
PARENTS = {
    "不予公开": {
        "属于国家秘密": "withheld.state_secret",
        "其他法律行政法规禁止公开": "withheld.law_prohibited",
        "危及三安全一稳定": "withheld.security_stability",
        "保护第三方合法权益": "withheld.third_party",
        "属于三类内部事务信息": "withheld.internal_affairs",
        "属于四类过程性信息": "withheld.process_info",
        "属于行政执法案卷": "withheld.enforcement_file",
        "属于行政查询事项": "withheld.query_matter",
    },
    "无法提供": {
        "本机关不掌握相关政府信息": "unavailable.not_held",
        "没有现成信息需要另行制作": "unavailable.needs_creation",
        "补正后申请内容仍不明确": "unavailable.unclear",
    },
    "不予处理": {
        "信访举报投诉类申请": "not_processed.petition",
        "重复申请": "not_processed.duplicate",
        "要求提供公开出版物": "not_processed.publication",
        "无正当理由大量反复申请": "not_processed.vexatious",
        "要求行政机关确认或重新出具已获取信息": "not_processed.confirmation",
    },
    "其他处理": {
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": "other.no_correction",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": "other.no_fee",
        "其他": "other.other",
    },
}
TOP = {
    "予以公开": "disclosed",
    "部分公开": "partial",
    "部分公开(区分处理的,只计这一情形,不计其他情形)": "partial",
    "其他处理": "other",
}
PARENT_ONLY = {"不予公开", "无法提供", "不予处理"}

# Quotation marks of any kind (inputs.md): straight, curly, low-9, CJK corner, double prime, angle.
_QUOTES = re.compile(r"[\"'“”‘’„‟‚‛「」『』﹁﹂﹃﹄〝〞〟《》〈〉«»‹›]")
_SPACE = re.compile(r"\s+")
# Official numbering before a label: （三） (三) 三、 1. 1、 （1） 1)
_NUMBERING = re.compile(r"^(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[.．、)）])")
_SEPARATORS = re.compile(r"[-－—/／:：]")

SUB_TO_LEAF = {sub: leaf for subs in PARENTS.values() for sub, leaf in subs.items()}
LEAF_PARENT = {leaf: parent for parent, subs in PARENTS.items() for leaf in subs.values()}
# Every full spelling, for "closest accepted outcomes" in messages.
ACCEPTED = sorted({*TOP} - {"部分公开(区分处理的,只计这一情形,不计其他情形)"} | {f"{p}-{s}" for p, subs in PARENTS.items() for s in subs})


def _clean(text: str) -> str:
    s = _SPACE.sub("", _QUOTES.sub("", fold(text)))
    return s


def _strip_numbering(s: str) -> str:
    return _NUMBERING.sub("", s, count=1)


def parse(text: str) -> tuple[str | None, str | None]:
    """(leaf code, None) or (None, rule): rule is outcome_parent_only or outcome_unknown."""
    s = _strip_numbering(_clean(text))
    if s in TOP:
        return TOP[s], None
    if s in SUB_TO_LEAF:
        return SUB_TO_LEAF[s], None
    if s in PARENT_ONLY:
        return None, "outcome_parent_only"
    parts = _SEPARATORS.split(s, maxsplit=1)
    if len(parts) == 2:
        parent, sub = _strip_numbering(parts[0]), _strip_numbering(parts[1])
        leaf = PARENTS.get(parent, {}).get(sub)
        if leaf:
            return leaf, None
    return None, "outcome_unknown"


def closest(text: str, n: int = 3) -> list[str]:
    """The accepted outcomes nearest to an unknown spelling."""
    s = _strip_numbering(_clean(text))
    scored = sorted(ACCEPTED, key=lambda a: -max(difflib.SequenceMatcher(None, s, a).ratio(), difflib.SequenceMatcher(None, s, a.split("-")[-1]).ratio()))
    return scored[:n]
