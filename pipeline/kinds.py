"""The input kinds of inputs.md as data: columns, aliases, which are required.

A column has an internal key (used in frames, the warehouse and SQL) and its
official Chinese name (used in every message to the clerk).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    date: bool = False  # a day: validate parses it as a date; the fast reader must tell number cells (Excel serials) from text in it


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # what the clerk calls this kind of file
    folder: str | None  # fixed folder; None for channels (configured)
    columns: tuple[Column, ...]

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


PUBLICATION = Kind(
    "publication",
    "发布记录",
    None,
    (
        Column("published", "发布日期", ("发布时间", "发表时间", "日期", "时间"), True, date=True),
        Column("title", "标题", ("信息标题", "标题名称", "文章标题", "内容标题", "内容", "微博内容", "微博正文"), True),
        Column("category", "栏目", ("信息类别", "类别", "分类", "公开目录")),
        Column("link", "链接", ("网址", "URL", "原文链接", "文章链接", "微博链接")),
    ),
)

APPLICATIONS = Kind(
    "applications",
    "依申请公开登记台账",
    "applications",
    (
        Column("request_id", "申请编号", ("编号", "登记号", "受理编号"), True),
        Column("received", "收到日期", ("申请日期", "受理日期", "收到申请日期"), True, date=True),
        Column("applicant", "申请人类型", ("申请人类别", "申请主体"), True),
        Column("answered", "答复日期", ("办结日期", "答复时间"), date=True),
        Column("outcome", "办理结果", ("答复结果", "处理结果")),
        Column("fee", "收费金额", ("信息处理费", "收费金额（元）")),
        Column("content", "申请内容", ("申请事项",)),
        Column("extended", "是否延期", ("延期",)),
    ),
)

APPEALS = Kind(
    "appeals",
    "行政复议、行政诉讼台账",
    "appeals",
    (
        Column("case_id", "案件编号", ("编号", "案号"), True),
        Column("case_type", "类型", ("案件类型",), True),
        Column("received", "收到日期", ("立案日期", "申请日期"), True, date=True),
        Column("concluded", "审结日期", ("结案日期",), date=True),
        Column("result", "结果", ("审结结果",)),
    ),
)

DOCUMENTS = Kind(
    "documents",
    "规章、规范性文件目录",
    "documents",
    (
        Column("name", "文件名称", ("名称", "标题"), True),
        Column("doc_no", "文号", ("发文字号",)),
        Column("category", "类别", ("文件类别",), True),
        Column("made", "制发日期", ("发布日期", "印发日期"), True, date=True),
        Column("published", "公开日期", date=True),
        Column("repealed", "废止日期", ("失效日期",), date=True),
    ),
)

SERVICES = Kind(
    "services",
    "管理服务事项统计",
    "services",
    (
        Column("year", "年度", ("年份",), True),
        Column("item", "事项", ("类别",), True),
        Column("items", "项目数量"),
        Column("decisions", "处理决定数量", ("决定数量",)),
        Column("amount", "金额（万元）", ("金额", "收费金额（万元）", "采购总金额（万元）")),
    ),
)

REGISTERS = (APPLICATIONS, APPEALS, DOCUMENTS, SERVICES)
ALL = (PUBLICATION, *REGISTERS)
BY_CODE = {k.code: k for k in ALL}
BY_FOLDER = {k.folder: k for k in REGISTERS}


# Accepted spellings of the coded columns → the code stored (validate reads them; reconcile names the codes back).
APPLICANT_NAMES = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
APPLICANTS = dict(zip(APPLICANT_NAMES, ["natural_person", "business", "research", "nonprofit", "legal_services", "other_org"])) | {
    "公民": "natural_person", "个人": "natural_person", "企业": "business", "公司": "business",
    "律师事务所": "legal_services", "其他组织": "other_org",
}
CASE_TYPES = {
    "行政复议": "review", "复议": "review",
    "行政诉讼-未经复议直接起诉": "lit_direct", "未经复议直接起诉": "lit_direct", "直接起诉": "lit_direct",
    "行政诉讼-复议后起诉": "lit_after_review", "复议后起诉": "lit_after_review",
}
CASE_RESULTS = {"维持": "upheld", "结果维持": "upheld", "纠正": "corrected", "结果纠正": "corrected", "其他": "other", "其他结果": "other"}
DOCUMENT_CATEGORIES = {"规章": "rules", "规范性文件": "normative_docs", "行政规范性文件": "normative_docs"}
SERVICE_ITEMS = {
    "行政许可": "licensing", "其他对外管理服务事项": "other_services", "行政处罚": "penalty",
    "行政强制": "enforcement", "行政事业性收费": "fees", "政府集中采购": "procurement",
}
