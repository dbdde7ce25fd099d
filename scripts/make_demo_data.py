#!/usr/bin/env python3
"""Regenerate the demo data under data/raw/ (慈溪市掌起镇人民政府, 2019–2021).

Deterministic: the same seed gives byte-identical files on every run (xlsx
files get fixed document properties and fixed zip entry timestamps).

    .venv/bin/python scripts/make_demo_data.py          # write + self-check

The script owns only the files listed in GENERATED: it deletes and rewrites
exactly those, nothing else under data/raw/. After writing it reads the
publication logs back and checks the yearly and monthly counts against
EXPECTED_MONTHLY (change the seed or the generator => update that table and
scripts/README.md, the script tells you the new figures).

Expected results (worked out by hand from the tables below; see
scripts/README.md for the full list, including the notes and the two warnings (the weibo duplicate and ZQ2021-003 answered late)):

Channels 2019 — 政府网站 236, 政务微博 392, 政务微信 306, 合计 934
(monthly figures in EXPECTED_MONTHLY). Weibo has 393 rows: the 2019-06-30
post is exported in both half-year files (same link) => one duplicate warning.

Table 三 (columns: 自然人 / 商业企业 / 法律服务机构 / 总计; others 0):
  2019 (2019 format): new 6/1/0/7; carried_in 0; disclosed 2/1/0/3;
       partial 1/0/0/1; unavailable.not_held 1/0/0/1;
       not_processed.petition 1/0/0/1; result_total 5/1/0/6; carried_out 1/0/0/1
  2020 (2019 format): new 4/1/0/5; carried_in 1/0/0/1; disclosed 3/0/0/3;
       partial 0/1/0/1; unavailable.needs_creation 1/0/0/1; other 1/0/0/1;
       result_total 5/1/0/6; carried_out 0
  2021 (2021 format): new 4/1/1/6; carried_in 0; disclosed 1/0/1/2;
       partial 0/1/0/1; not_processed.duplicate 1/0/0/1; other.no_fee 1/0/0/1;
       result_total 3/1/1/5; carried_out 1/0/0/1
Table 四: 2019 all 0; 2020 all 0; 2021 review.upheld 1, review.total 1.
Table 二 (规章 always 0; 规范性文件):
  2019 made 3, published 2, total_published 2
  2020 made 1, published 2, total_published 4
  2021 issued 1, repealed 1, in_force 4
Table 二 service groups (prev_items / change / decisions; fees prev_items /
change; procurement projects / amount), from SERVICES below:
  2019: 行政许可 6/-1/148; 其他对外管理服务事项 20/+2/2598; 行政处罚 12/0/45;
        行政强制 2/+1/6; 行政事业性收费 3/-1; 政府集中采购 31 / 2147.3856
  2020: 行政许可 5/0/131; 其他对外管理服务事项 22/0/2471; 行政处罚 12/+3/52;
        行政强制 3/0/5; 行政事业性收费 2/0; 政府集中采购 29 / 1968.0425
  2021 (2021 format, decisions / amount only): 行政许可 127; 行政处罚 186;
        行政强制 14; 行政事业性收费 amount 6.8473
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import string
import struct
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

# --------------------------------------------------------------------------
# Data tables
# --------------------------------------------------------------------------

SEED = 20190101
YEAR = 2019
FIXED_TIMESTAMP = dt.datetime(2020, 1, 15, 9, 0, 0)  # xlsx properties + zip entries
RAW = Path(__file__).resolve().parents[1] / "data" / "raw"

WEBSITE_FILE = "website/2019年政府网站信息发布台账.xlsx"
WEBSITE_LOCK_FILE = "website/~$2019年政府网站信息发布台账.xlsx"
WEIBO_H1_FILE = "weibo/微博发布记录-上半年.xlsx"
WEIBO_H2_FILE = "weibo/2019下半年/微博导出.csv"
WECHAT_FILE = "wechat/掌起发布公众号文章.xlsx"
CLERK_NOTE_FILE = "说明.txt"
APPLICATIONS_FILES = {y: f"applications/依申请公开登记台账{y}.xlsx" for y in (2019, 2020, 2021)}
APPEALS_FILE = "appeals/行政复议行政诉讼台账.xlsx"
DOCUMENTS_FILE = "documents/规范性文件目录.xlsx"
SERVICES_FILE = "services/管理服务事项统计.xlsx"
GENERATED = [
    WEBSITE_FILE, WEBSITE_LOCK_FILE, WEIBO_H1_FILE, WEIBO_H2_FILE, WECHAT_FILE,
    CLERK_NOTE_FILE, *APPLICATIONS_FILES.values(), APPEALS_FILE, DOCUMENTS_FILE,
    SERVICES_FILE,
]

CHANNEL_TOTALS = {"website": 236, "weibo": 392, "wechat": 306}
WEEKLY_FLOOR = {"weibo": 5, "wechat": 5}  # "保持每周5次以上推送" (weeks with >= 4 working days)

# Monthly counts per channel this seed produces (asserted after generation).
EXPECTED_MONTHLY = {  #  Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec
    "website":             [20,  8, 22, 24, 22, 20, 20, 14, 22, 18, 22, 24],  # 236
    "weibo":               [29, 20, 39, 35, 33, 37, 35, 27, 35, 29, 39, 34],  # 392
    "wechat":              [20, 17, 31, 28, 28, 27, 27, 22, 25, 22, 30, 29],  # 306
}

# Relative activity per month: busier March–June and Sept–Dec, quiet Feb and Aug.
MONTH_WEIGHT = {1: 1.0, 2: 0.55, 3: 1.2, 4: 1.2, 5: 1.15, 6: 1.2,
                7: 1.0, 8: 0.7, 9: 1.15, 10: 1.05, 11: 1.2, 12: 1.2}

# Official 2019 calendar (国务院办公厅 2019 节假日安排).
HOLIDAYS = {dt.date(2019, 1, 1)} | {
    dt.date(2019, m, d) for m, days in {
        2: range(4, 11), 4: range(5, 8), 5: range(1, 5), 6: range(7, 10),
        9: range(13, 16), 10: range(1, 8)}.items() for d in days}
WORKING_WEEKENDS = {dt.date(2019, 2, 2), dt.date(2019, 2, 3), dt.date(2019, 4, 28),
                    dt.date(2019, 5, 5), dt.date(2019, 9, 29), dt.date(2019, 10, 12)}
# Chance weight of a post on a day, by kind of day (website: working days only).
DAY_WEIGHT = {"website": {"work": 1.0, "weekend": 0.0, "holiday": 0.0},
              "social": {"work": 1.0, "weekend": 0.15, "holiday": 0.08}}

VILLAGES = ["掌起村", "任佳溪村", "洋山村", "五姓点村", "厉家村", "长溪村",
            "古窑浦村", "周家段村", "东埠头村", "华家村"]
TOPICS = ["安全生产", "消防安全", "五水共治", "生活垃圾分类", "美丽乡村建设",
          "扫黑除恶专项斗争", "“最多跑一次”改革", "农村生活污水治理", "防汛防台",
          "秸秆禁烧", "全国文明城市创建", "食品安全", "森林防火", "河长制", "征兵",
          "无偿献血", "第四次全国经济普查", "乡村振兴", "小城镇环境综合整治",
          "污染防治攻坚战", "退役军人服务保障", "农村危房改造", "平安建设", "禁毒宣传",
          "城乡居民医疗保险参保", "“低散乱”企业整治", "“三改一拆”", "“无违建”创建",
          "移风易俗", "清廉村居建设", "道路交通安全", "燃气安全", "农村饮用水安全",
          "困难群众帮扶", "残疾人服务", "出租房屋安全管理", "工业企业安全隐患排查"]
PROJECTS = ["农村生活污水治理提升工程", "道路提升改造工程", "文化礼堂建设项目",
            "河道综合整治工程", "公厕改造提升工程", "污水管网修复工程", "停车场建设工程",
            "路灯亮化工程", "农房改造集聚项目", "村级便民服务中心改造工程",
            "沿山游步道建设工程", "农田水利设施修缮工程"]
MEETINGS = ["工作会议", "工作推进会", "工作部署会", "工作动员大会", "专题会议",
            "工作例会暨业务培训会"]
ACTIONS = ["专项检查行动", "集中宣传活动", "隐患排查整治", "志愿服务活动",
           "现场观摩活动", "联合执法行动"]
LEADERS = ["镇党委书记", "镇长", "镇党委副书记", "分管副镇长", "镇人大主席"]
DEPARTMENTS = ["市应急管理局", "市生态环境局慈溪分局", "市市场监管局", "掌起派出所",
               "镇综合行政执法中队", "镇农业农村办公室", "镇社会事务管理办公室"]
POSTS = ["编外工作人员", "社区专职工作者", "综合行政执法协管员", "专职消防队员",
         "村级后备干部", "全科网格员"]
NOTICES = ["2019年度城乡居民医疗保险参保缴费已经开始，请尚未缴费的居民及时办理",
           "近期气温骤降，请广大村民注意用火用电安全，谨防火灾",
           "台风即将来袭，请沿山沿河群众做好防范，非必要不外出",
           "秸秆禁烧期间严禁露天焚烧秸秆和垃圾，违者将依法查处",
           "镇便民服务中心周六上午照常办理社保、医保等业务",
           "征兵报名正在进行中，适龄青年可登录全国征兵网报名",
           "城乡居民养老保险年度缴费即将截止，请抓紧办理",
           "垃圾分类“四分类”投放指南请收好，从我做起",
           "夏季溺水事故高发，家长务必看管好孩子，远离危险水域",
           "燃气使用安全小常识，请转给家里的长辈"]
RESULTS = ["进一步提升了群众知晓率", "现场发放宣传资料300余份", "督促整改问题隐患12处",
           "为下阶段工作打下坚实基础", "得到了村民的一致好评", "切实守护群众生命财产安全"]

# Website 栏目: (share of items, column id in the URL, title templates).
WEBSITE_CATEGORIES = {
    "工作动态": (0.50, 136841, [
        "掌起镇召开2019年度{t}{meeting}",
        "{leader}赴{v}调研{t}工作",
        "{leader}带队赴{v}督查{t}工作落实情况",
        "掌起镇联合{dept}在{v}开展{t}{action}",
        "掌起镇举办{t}业务知识专题培训班",
        "{v}扎实推进{t}工作取得阶段性成效",
        "掌起镇{t}{meeting}在{v}召开"]),
    "通知公告": (0.15, 136842, [
        "关于做好2019年度{t}工作的通知",
        "关于开展2019年{t}{action}的通知",
        "掌起镇人民政府关于{v}{project}的批前公示",
        "掌起镇人民政府关于{v}{project}竣工验收情况的公示",
        "关于进一步做好{t}相关工作的紧急通知"]),
    "政策文件": (0.05, 136845, [
        "掌起镇人民政府关于印发《掌起镇2019年{t}工作实施方案》的通知",
        "掌起镇人民政府办公室关于印发《2019年掌起镇{t}工作要点》的通知",
        "中共掌起镇委员会 掌起镇人民政府关于进一步加强{t}工作的实施意见"]),
    "财政信息": (0.07, 136848, [
        "掌起镇{pym}份财政预算执行情况公开",
        "掌起镇人民政府2019年部门预算及“三公”经费预算公开说明",
        "掌起镇人民政府2018年度部门决算及“三公”经费决算公开说明",
        "掌起镇{pym}份政府采购意向及合同公开情况",
        "掌起镇{pym}份镇级财政专项资金分配结果公开",
        "掌起镇{pym}份惠农补贴资金发放情况公示"]),
    "人事信息": (0.06, 136851, [
        "掌起镇2019年公开招聘{post}公告",
        "掌起镇2019年公开招聘{post}资格复审及面试公告",
        "掌起镇2019年公开招聘{post}体检结果及考察人选公示",
        "掌起镇2019年公开招聘{post}拟聘用人员公示",
        "掌起镇2019年公开招聘{post}笔试成绩及面试安排公告"]),
    "重点领域信息公开": (0.17, 136856, [
        "掌起镇{v}{project}施工招标公告",
        "掌起镇{v}{project}中标候选人公示",
        "掌起镇{v}{project}中标结果公告",
        "掌起镇{pym}城乡低保、特困人员救助供养金发放情况公示",
        "掌起镇{pym}{t}执法检查情况通报"]),
}
WEIBO_TEMPLATES = [
    "【{t}】{md}，掌起镇在{v}开展{t}{action}，{result}。",
    "#掌起发布# {md}，掌起镇召开{t}{meeting}，部署下阶段重点工作。",
    "【提醒】{notice}。#掌起发布#",
    "#掌起发布# {md}，{leader}赴{v}督查{t}工作，要求压实责任、狠抓落实。",
    "【{v}】{md}，{v}{project}顺利推进，预计年内完工投用。",
    "#掌起发布# {md}，掌起镇联合{dept}开展{t}{action}。",
]
WECHAT_TEMPLATES = [
    "掌起镇召开2019年度{t}{meeting}，这些重点工作要抓紧",
    "聚焦{t}｜{v}开展{action}，{result}",
    "提醒｜{notice}",
    "{v}{project}完工啦，快来看看变化有多大！",
    "重磅！掌起镇{v}{project}正式开工建设",
    "{leader}赴{v}调研{t}工作：以钉钉子精神抓好落实",
    "@掌起人，{t}知识划重点，这些你一定要知道",
    "{v}：{t}宣传进村入户，村民纷纷点赞",
    "图说掌起｜{v}{project}建设现场直击",
    "{dept}走进{v}，{t}{action}有声有色",
]
TITLE_LENGTH = (20, 60)

# The one weibo post exported in both half-year files (duplicate on purpose).
WEIBO_DUPLICATE = (dt.datetime(2019, 6, 30, 20, 10),
                   "#掌起发布# 明天是中国共产党成立98周年纪念日，掌起镇向全镇广大党员致以节日的问候！",
                   "https://weibo.com/zqfb/HzQ7pKx2m")

# ---- registers: one tuple per row, in the order of the file's header -----
D = dt.date
APPLICATIONS_2019 = {
    "title": "2019年度掌起镇人民政府政府信息公开申请登记台账",
    "header": ["序号", "申请编号", "收到日期", "申请人类型", "申请方式", "申请内容",
               "答复日期", "办理结果", "收费金额", "备注"],
    "rows": [
        (1, "ZQ2019-001", D(2019, 2, 26), "公民", "当面", "申请公开掌起镇2018年度农村危房改造补助对象名单及补助标准", D(2019, 3, 12), "予以公开", 0, None),
        (2, "ZQ2019-002", D(2019, 4, 9), "自然人", "邮寄", "申请公开洋山村某地块征收补偿安置方案及补偿明细", D(2019, 4, 28), "部分公开", 0, "涉及第三方个人信息部分不予公开"),
        (3, "ZQ2019-003", D(2019, 5, 16), "企业", "网上申请", "申请公开掌起镇工业区块2018年度环境整治项目招标文件及中标结果", D(2019, 6, 4), "予以公开", 0, None),
        (4, "ZQ2019-004", D(2019, 7, 8), "个人", "当面", "申请公开1998年任佳溪村宅基地审批档案", D(2019, 7, 26), "无法提供/本机关不掌握相关政府信息", None, "告知向市自然资源和规划局申请"),
        (5, "ZQ2019-005", D(2019, 8, 20), "自然人", "网上申请", "反映邻居违章搭建问题，要求查处并公开处理结果", D(2019, 9, 6), "（五）不予处理：信访举报投诉类申请", None, "已转信访渠道办理"),
        (6, "ZQ2019-006", D(2019, 10, 15), "公民", "当面", "申请公开2019年度掌起镇城乡居民基本医疗保险参保补助政策文件", D(2019, 11, 1), "予以公开", 0, None),
        (7, "ZQ2019-007", D(2019, 12, 20), "自然人", "邮寄", "申请公开长溪村2019年村道硬化工程的立项及验收材料", None, None, None, "办理中，跨年度结转"),
    ],
}
# 2020: header written with aliases; ZQ2019-007 listed again, now answered
# (收到日期 as text, 申请人类型 公民 — both equal the 2019 row after normalising).
APPLICATIONS_2020 = {
    "title": "2020年度掌起镇人民政府政府信息公开申请登记台账",
    "header": ["序号", "受理编号", "收到申请日期", "申请人类别", "申请事项", "答复日期",
               "答复结果", "信息处理费", "备注"],
    "rows": [
        (1, "ZQ2019-007", "2019/12/20", "公民", "申请公开长溪村2019年村道硬化工程的立项及验收材料", D(2020, 1, 8), "予以公开", None, "2019年结转件"),
        (2, "ZQ2020-001", D(2020, 3, 10), "自然人", "申请公开掌起镇2020年新冠肺炎疫情防控物资采购及分配情况", D(2020, 3, 27), "予以公开", 0, None),
        (3, "ZQ2020-002", D(2020, 5, 18), "公司", "申请公开掌起镇2019年度道路养护工程招投标及合同履行情况", D(2020, 6, 5), "部分公开", 0, "合同中商业秘密部分不予公开"),
        (4, "ZQ2020-003", D(2020, 7, 2), "个人", "申请公开近五年掌起镇各村土地流转面积汇总统计表", D(2020, 7, 21), "（四）无法提供-2.没有现成信息需要另行制作", None, None),
        (5, "ZQ2020-004", D(2020, 9, 14), "自然人", "申请公开长溪村某房屋拆迁补偿协议", D(2020, 10, 9), "其他处理", None, "经补正告知后申请人未按期补正"),
        (6, "ZQ2020-005", D(2020, 11, 23), "公民", "申请公开2020年度掌起镇低保、特困人员救助供养资金发放情况", D(2020, 12, 10), "予以公开", 0, None),
    ],
}
APPLICATIONS_2021 = {
    "title": None,
    "header": ["申请编号", "收到日期", "申请人类型", "申请内容", "答复日期", "办理结果",
               "收费金额（元）", "备注"],
    "rows": [
        ("ZQ2021-001", D(2021, 1, 19), "个人", "申请公开掌起镇2020年度农村生活污水治理项目资金使用情况", D(2021, 2, 3), "予以公开", 0, None),
        ("ZQ2021-002", D(2021, 3, 22), "企业", "申请公开掌起镇工业区块有机更新项目规划及征收范围图", D(2021, 4, 9), "部分公开", 0, "申请人不服，已申请行政复议（维持）"),
        ("ZQ2021-003", D(2021, 5, 6), "自然人", "申请公开2000年至2020年掌起镇全部建设项目审批文件", D(2021, 6, 18), "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", None, "已发出收费通知，申请人逾期未缴费"),
        ("ZQ2021-004", D(2021, 8, 11), "自然人", "再次申请公开掌起镇2020年度农村生活污水治理项目资金使用情况", D(2021, 8, 30), "（五）不予处理—2.重复申请", None, "与ZQ2021-001申请内容相同"),
        ("ZQ2021-005", D(2021, 10, 25), "律师事务所", "受委托申请公开2020年掌起镇某地块房屋征收决定及补偿方案", D(2021, 11, 12), "予以公开", 0, None),
        ("ZQ2021-006", D(2021, 12, 28), "公民", "申请公开2021年度掌起镇城乡居民养老保险缴费补贴发放情况", None, None, None, "办理中"),
    ],
}
APPEALS = {
    "title": "掌起镇政府信息公开行政复议、行政诉讼案件登记台账",
    "header": ["案件编号", "类型", "收到日期", "申请人", "案由", "审结日期", "结果", "备注"],
    "rows": [
        ("慈政复〔2021〕58号", "行政复议", D(2021, 5, 10), "某企业",
         "不服掌起镇人民政府ZQ2021-002号政府信息公开申请答复", D(2021, 7, 20), "结果维持", None),
    ],
}
DOCUMENTS = {
    "title": "掌起镇人民政府规范性文件目录",
    "header": ["序号", "文件名称", "文号", "类别", "制发日期", "公开日期", "废止日期", "备注"],
    "rows": [
        (1, "掌起镇人民政府关于印发《掌起镇农村宅基地管理实施细则》的通知", "掌政发〔2019〕3号", "规范性文件", D(2019, 1, 15), D(2019, 1, 18), D(2021, 9, 30), "被掌政发〔2021〕35号替代"),
        (2, "掌起镇人民政府关于印发《掌起镇农村生活垃圾分类管理办法》的通知", "掌政发〔2019〕12号", "行政规范性文件", D(2019, 4, 18), D(2019, 4, 23), None, None),
        (3, "掌起镇人民政府关于印发《掌起镇村级工程项目建设管理办法》的通知", "掌政发〔2019〕41号", "规范性文件", D(2019, 12, 26), "2020.1.3", None, "2020年初公开"),
        (4, "掌起镇人民政府关于印发《掌起镇农村集体资产管理办法》的通知", "掌政发〔2020〕18号", "规范性文件", D(2020, 5, 12), D(2020, 5, 15), None, None),
        (5, "掌起镇人民政府关于印发《掌起镇农村宅基地审批管理办法》的通知", "掌政发〔2021〕35号", "行政规范性文件", D(2021, 9, 28), D(2021, 9, 30), None, None),
    ],
}
# (项目数量, 处理决定数量, 金额（万元）) per 事项 and 年度; None = left empty.
# 2018 is there so that 2019 has its 上一年项目数量.
SERVICES = {
    "行政许可":           {2018: (6, 156, None), 2019: (5, 148, None), 2020: (5, 131, None), 2021: (4, 127, None)},
    "其他对外管理服务事项": {2018: (20, 2356, None), 2019: (22, 2598, None), 2020: (22, 2471, None), 2021: (24, 2705, None)},
    "行政处罚":           {2018: (12, 37, None), 2019: (12, 45, None), 2020: (15, 52, None), 2021: (168, 186, None)},
    "行政强制":           {2018: (2, 4, None), 2019: (3, 6, None), 2020: (3, 5, None), 2021: (12, 14, None)},
    "行政事业性收费":      {2018: (3, None, 11.872), 2019: (2, None, 9.4562), 2020: (2, None, 7.0315), 2021: (2, None, 6.8473)},
    "政府集中采购":        {2018: (27, None, 1862.4371), 2019: (31, None, 2147.3856), 2020: (29, None, 1968.0425), 2021: (33, None, 2315.7)},
}
SERVICES_HEADER = ["年度", "事项", "项目数量", "处理决定数量", "金额（万元）", "备注"]

WECHAT_INSTRUCTIONS = [
    "使用说明",
    "1. 本表根据“掌起发布”微信公众号后台“内容分析—群发分析”导出数据整理，每月初由宣传办更新一次。",
    "2. 只统计已群发的文章；同一次群发的多篇图文分别计数。",
    "3. 日期填写到日即可，阅读数、点赞数以导出当日数据为准。",
    "4. 请勿修改“文章列表”工作表的表头，年报统计直接读取该表。",
]
CLERK_NOTE = """各位同事：

年报统计用的台账请按文件夹放好，不要直接放在这一层：
  website/      政府网站信息发布台账
  weibo/        “掌起发布”微博导出记录
  wechat/       “掌起发布”公众号文章导出
  applications/ 依申请公开登记台账（每年一本）
  appeals/      行政复议、行政诉讼台账
  documents/    规范性文件目录
  services/     管理服务事项统计

表头请勿改名；跨年度办理的申请在下一年台账里再登记一次并填上答复日期。
党政综合办公室  2020年1月
"""

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

DATE_FORMAT = "yyyy/m/d"
DATETIME_FORMAT = "yyyy/m/d h:mm"
BASE62 = string.digits + string.ascii_letters
BASE64URL = string.ascii_letters + string.digits + "-_"


def day_kind(day: dt.date) -> str:
    if day in HOLIDAYS:
        return "holiday"
    if day.weekday() < 5 or day in WORKING_WEEKENDS:
        return "work"
    return "weekend"


def days_of_year() -> list[dt.date]:
    first = dt.date(YEAR, 1, 1)
    return [first + dt.timedelta(n) for n in range((dt.date(YEAR + 1, 1, 1) - first).days)]


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (stable ties)."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def spread(rng: random.Random, days: list[dt.date], weights: dict[str, float], n: int) -> list[dt.date]:
    """Draw n publication days (with repeats) among `days`."""
    w = [weights[day_kind(d)] for d in days]
    return sorted(rng.choices(days, weights=w, k=n)) if n else []


def website_dates(rng: random.Random) -> list[dt.date]:
    """Monthly totals by MONTH_WEIGHT x working days, then random working days."""
    weights = DAY_WEIGHT["website"]
    months = defaultdict(list)
    for d in days_of_year():
        months[d.month].append(d)
    month_weight = [MONTH_WEIGHT[m] * sum(weights[day_kind(d)] for d in months[m]) for m in range(1, 13)]
    counts = largest_remainder(CHANNEL_TOTALS["website"], month_weight)
    return [d for m, n in zip(range(1, 13), counts) for d in spread(rng, months[m], weights, n)]


def social_dates(rng: random.Random, total: int, floor: int) -> list[dt.date]:
    """A floor of posts in every week with >= 4 working days (one less in quiet
    months), the rest spread by activity."""
    weights = DAY_WEIGHT["social"]
    weeks = defaultdict(list)
    for d in days_of_year():
        weeks[d - dt.timedelta(d.weekday())].append(d)
    weeks = list(weeks.values())
    base = [0 if sum(day_kind(d) == "work" for d in w) < 4
            else floor if MONTH_WEIGHT[w[len(w) // 2].month] >= 1 else floor - 1
            for w in weeks]
    activity = [sum(weights[day_kind(d)] * MONTH_WEIGHT[d.month] for d in w) for w in weeks]
    extra = largest_remainder(total - sum(base), activity)
    return [d for w, b, e in zip(weeks, base, extra) for d in spread(rng, w, weights, b + e)]


def fill(rng: random.Random, template: str, day: dt.date) -> str:
    """Fill a title template; unused slots are simply not drawn from."""
    prev = day.replace(day=1) - dt.timedelta(1)
    slots = {
        "t": TOPICS, "v": VILLAGES, "project": PROJECTS, "meeting": MEETINGS,
        "action": ACTIONS, "leader": LEADERS, "dept": DEPARTMENTS, "post": POSTS,
        "notice": NOTICES, "result": RESULTS,
    }
    values = {k: rng.choice(v) for k, v in slots.items() if "{" + k + "}" in template}
    return template.format(**values, md=f"{day.month}月{day.day}日", pym=f"{prev.year}年{prev.month}月")


def unique_title(rng: random.Random, templates: list[str], day: dt.date, seen: set[str]) -> str:
    for _ in range(2000):
        title = fill(rng, rng.choice(templates), day)
        if TITLE_LENGTH[0] <= len(title) <= TITLE_LENGTH[1] and title not in seen:
            seen.add(title)
            return title
    raise RuntimeError(f"title pool exhausted for {templates[0]!r}")


def unique_token(rng: random.Random, alphabet: str, length: int, seen: set[str], prefix: str = "") -> str:
    while True:
        token = prefix + "".join(rng.choice(alphabet) for _ in range(length - len(prefix)))
        if token not in seen:
            seen.add(token)
            return token


def clock(rng: random.Random, first: str = "07:30", last: str = "21:30") -> dt.time:
    lo, hi = (int(t[:2]) * 60 + int(t[3:]) for t in (first, last))
    minutes = rng.randrange(lo, hi, 5)
    return dt.time(minutes // 60, minutes % 60)


def save_xlsx(wb: Workbook, relpath: str) -> None:
    """Save with fixed properties and zip timestamps, so reruns are byte-identical."""
    wb.properties.creator = wb.properties.last_modified_by = "Administrator"
    wb.properties.created = wb.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # save_workbook() would stamp "now"
    path = RAW / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)


def put_table(ws, header: list[str], rows, title: str | None = None, gap: int = 0,
              number_formats: dict[str, str] | None = None) -> int:
    """Write [title row, `gap` blank rows,] header and rows; return the header's row number.

    date/datetime values become Excel date cells; None leaves the cell empty.
    """
    header_row = 1
    if title:
        ws.cell(1, 1, title).font = Font(bold=True, size=14)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        header_row = 2 + gap
    for col, name in enumerate(header, 1):
        ws.cell(header_row, col, name).font = Font(bold=True)
    formats = number_formats or {}
    for r, row in enumerate(rows, header_row + 1):
        for col, (name, value) in enumerate(zip(header, row), 1):
            if value is None:
                continue
            cell = ws.cell(r, col, value)
            if isinstance(value, dt.datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            elif name in formats:
                cell.number_format = formats[name]
    for col, name in enumerate(header, 1):
        width = max([len(str(name))] + [len(str(row[col - 1])) for row in rows if row[col - 1] is not None])
        ws.column_dimensions[ws.cell(header_row, col).column_letter].width = min(4 + 1.6 * width, 70)
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    return header_row


def register_workbook(spec: dict, sheet: str, relpath: str, number_formats=None) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    put_table(ws, spec["header"], spec["rows"], spec.get("title"), number_formats=number_formats)
    save_xlsx(wb, relpath)


# --------------------------------------------------------------------------
# Publication logs
# --------------------------------------------------------------------------

def make_website_items(rng: random.Random) -> list[dict]:
    names = list(WEBSITE_CATEGORIES)
    shares = [WEBSITE_CATEGORIES[c][0] for c in names]
    seen: set[str] = set()
    article_id = 3301000
    items = []
    for day in website_dates(rng):
        category = rng.choices(names, weights=shares)[0]
        _, column_id, templates = WEBSITE_CATEGORIES[category]
        article_id += rng.randrange(40, 400)
        items.append({
            "date": day, "title": unique_title(rng, templates, day, seen), "category": category,
            "url": f"http://www.cixi.gov.cn/art/{day.year}/{day.month}/{day.day}/art_{column_id}_{article_id}.html",
        })
    return items


def make_weibo_items(rng: random.Random) -> list[dict]:
    seen_titles, seen_ids = {WEIBO_DUPLICATE[1]}, {WEIBO_DUPLICATE[2].rsplit("/", 1)[1]}
    items = [{"time": WEIBO_DUPLICATE[0], "title": WEIBO_DUPLICATE[1], "url": WEIBO_DUPLICATE[2]}]
    for day in social_dates(rng, CHANNEL_TOTALS["weibo"] - 1, WEEKLY_FLOOR["weibo"]):
        mid = unique_token(rng, BASE62, 9, seen_ids, prefix="H" if day.month <= 6 else "I")
        items.append({"time": dt.datetime.combine(day, clock(rng)),
                      "title": unique_title(rng, WEIBO_TEMPLATES, day, seen_titles),
                      "url": f"https://weibo.com/zqfb/{mid}"})
    for item in items:
        item.update(reads=rng.randint(200, 3000), reposts=rng.randint(0, 30),
                    comments=rng.randint(0, 15), likes=rng.randint(0, 60))
    return sorted(items, key=lambda i: i["time"])


def make_wechat_items(rng: random.Random) -> list[dict]:
    seen_titles: set[str] = set()
    seen_ids: set[str] = set()
    items = []
    for day in social_dates(rng, CHANNEL_TOTALS["wechat"], WEEKLY_FLOOR["wechat"]):
        reads = rng.randint(300, 3000) if rng.random() > 0.05 else rng.randint(8000, 20000)
        items.append({"time": dt.datetime.combine(day, clock(rng, "11:00", "21:00")),
                      "title": unique_title(rng, WECHAT_TEMPLATES, day, seen_titles),
                      "url": f"https://mp.weixin.qq.com/s/{unique_token(rng, BASE64URL, 22, seen_ids)}",
                      "reads": reads, "likes": max(1, reads // rng.randint(30, 80)),
                      "form": rng.choices(["datetime", "cn", "dot", "compact"], [4, 3, 2, 1])[0]})
    return sorted(items, key=lambda i: i["time"])


def write_website_log(items: list[dict]) -> None:
    """Title row, blank row, header on row 3, merged 发布日期 cells, 合计 row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "2019年"
    header = ["序号", "发布日期", "信息标题", "信息类别", "链接"]
    rows = [(n, i["date"], i["title"], i["category"], i["url"]) for n, i in enumerate(items, 1)]
    top = put_table(ws, header, rows, title="2019年掌起镇政府网站信息发布台账", gap=1) + 1
    # The clerk merged the date cell of same-day items in March, June and November.
    runs = defaultdict(list)
    for offset, item in enumerate(items):
        runs[item["date"]].append(top + offset)
    for day, rows_of_day in runs.items():
        if day.month in (3, 6, 11) and len(rows_of_day) > 1:
            ws.merge_cells(start_row=rows_of_day[0], start_column=2, end_row=rows_of_day[-1], end_column=2)
            ws.cell(rows_of_day[0], 2).alignment = Alignment(vertical="center")
    # Two pre-numbered empty rows of the clerk's template, then the totals row.
    end = top + len(items)
    ws.cell(end, 1, len(items) + 1)
    ws.cell(end + 1, 1, len(items) + 2)
    ws.cell(end + 2, 1, "合计").font = Font(bold=True)
    ws.cell(end + 2, 3, len(items))
    save_xlsx(wb, WEBSITE_FILE)


def write_weibo_first_half(items: list[dict]) -> None:
    """xlsx, dates as text "2019-01-04 08:30:00", a '*' and full-width letters in the header."""
    wb = Workbook()
    ws = wb.active
    ws.title = "微博列表"
    header = ["序号", "发布日期*", "标题", "ＵＲＬ", "阅读数", "转发数", "点赞数"]
    rows = [(n, i["time"].strftime("%Y-%m-%d %H:%M:%S"), i["title"], i["url"],
             i["reads"], i["reposts"], i["likes"]) for n, i in enumerate(items, 1)]
    put_table(ws, header, rows)
    save_xlsx(wb, WEIBO_H1_FILE)


def write_weibo_second_half(items: list[dict]) -> None:
    """GB18030 CSV as the platform exports it: newest first, dates "2019/7/3 09:15"."""
    path = RAW / WEIBO_H2_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="gb18030", newline="") as f:
        out = csv.writer(f)
        out.writerow(["发布时间", "微博内容", "微博链接", "转发数", "评论数", "点赞数"])
        for i in sorted(items, key=lambda i: i["time"], reverse=True):
            t = i["time"]
            out.writerow([f"{t.year}/{t.month}/{t.day} {t:%H:%M}", i["title"], i["url"],
                          i["reposts"], i["comments"], i["likes"]])


def wechat_date(item: dict):
    t = item["time"]
    return {"datetime": t, "cn": f"{t.year}年{t.month}月{t.day}日",
            "dot": f"{t.year}.{t.month}.{t.day}", "compact": f"{t:%Y%m%d}"}[item["form"]]


def write_wechat_log(items: list[dict]) -> None:
    """Sheet 说明 (instructions only), then 文章列表 (newest first, mixed date forms)."""
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    for r, line in enumerate(WECHAT_INSTRUCTIONS, 1):
        notes.cell(r, 1, line)
    notes.column_dimensions["A"].width = 100
    ws = wb.create_sheet("文章列表")
    header = ["发表时间", "文章标题", "原文链接", "阅读数", "点赞数"]
    rows = [(wechat_date(i), i["title"], i["url"], i["reads"], i["likes"])
            for i in sorted(items, key=lambda i: i["time"], reverse=True)]
    put_table(ws, header, rows)
    save_xlsx(wb, WECHAT_FILE)


def write_lock_file() -> None:
    """An Excel owner (lock) file as Excel leaves it while the ledger is open: 165 bytes."""
    user = "Administrator"
    data = (bytes([len(user)]) + user.encode("ascii").ljust(54, b" ")
            + struct.pack("<H", len(user)) + user.ljust(54).encode("utf-16-le"))
    assert len(data) == 165
    (RAW / WEBSITE_LOCK_FILE).write_bytes(data)


def write_clerk_note() -> None:
    (RAW / CLERK_NOTE_FILE).write_text(CLERK_NOTE, encoding="utf-8")


# --------------------------------------------------------------------------
# Registers
# --------------------------------------------------------------------------

def write_applications(year: int) -> None:
    spec = {2019: APPLICATIONS_2019, 2020: APPLICATIONS_2020, 2021: APPLICATIONS_2021}[year]
    register_workbook(spec, f"{year}年", APPLICATIONS_FILES[year])


def write_appeals() -> None:
    register_workbook(APPEALS, "台账", APPEALS_FILE)


def write_documents() -> None:
    register_workbook(DOCUMENTS, "目录", DOCUMENTS_FILE)


def write_services() -> None:
    rows = [(year, item, *figures, None)
            for year in sorted({y for by_year in SERVICES.values() for y in by_year})
            for item, by_year in SERVICES.items() for figures in [by_year[year]]]
    spec = {"title": "掌起镇管理服务事项统计表（2018—2021年）", "header": SERVICES_HEADER, "rows": rows}
    register_workbook(spec, "统计", SERVICES_FILE, number_formats={"金额（万元）": "0.0000"})


# --------------------------------------------------------------------------
# Read-back check of the publication logs
# --------------------------------------------------------------------------

def parse_day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    text = str(value).split(" ")[0]
    if text.isdigit():
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    for sep in "-/.":
        text = text.replace(sep, "年", 1).replace(sep, "月", 1)
    y, rest = text.split("年")
    m, d = rest.rstrip("日").split("月")
    return dt.date(int(y), int(m), int(d))


def read_back_logs() -> dict[str, list[int]]:
    """Count per channel and month from the files, with merges applied and duplicates removed."""
    monthly = {}
    ws = load_workbook(RAW / WEBSITE_FILE).active
    merged = {(r, rng.min_col): ws.cell(rng.min_row, rng.min_col).value
              for rng in ws.merged_cells.ranges for r in range(rng.min_row, rng.max_row + 1)}
    assert sum(1 for rng in ws.merged_cells.ranges if rng.min_col == 2) >= 3
    days = [merged.get((r, 2), ws.cell(r, 2).value) for r in range(4, ws.max_row + 1)
            if ws.cell(r, 3).value is not None and ws.cell(r, 1).value != "合计"]
    monthly["website"] = [Counter(parse_day(d).month for d in days)[m] for m in range(1, 13)]

    first = list(load_workbook(RAW / WEIBO_H1_FILE).active.iter_rows(min_row=2, values_only=True))
    with open(RAW / WEIBO_H2_FILE, encoding="gb18030", newline="") as f:
        second = list(csv.reader(f))[1:]
    posts = [(r[1], r[3]) for r in first] + [(r[0], r[2]) for r in second]
    assert len(posts) == CHANNEL_TOTALS["weibo"] + 1, len(posts)
    by_link = {link: parse_day(day) for day, link in posts}
    monthly["weibo"] = [Counter(d.month for d in by_link.values())[m] for m in range(1, 13)]

    wechat = list(load_workbook(RAW / WECHAT_FILE)["文章列表"].iter_rows(min_row=2, values_only=True))
    monthly["wechat"] = [Counter(parse_day(r[0]).month for r in wechat)[m] for m in range(1, 13)]
    return monthly


def weeks_below_floor(items: list[dict], floor: int) -> list[str]:
    per_week = Counter(i["time"].date() - dt.timedelta(i["time"].weekday()) for i in items)
    weeks = sorted({d - dt.timedelta(d.weekday()) for d in days_of_year()})
    return [f"{w:%Y-%m-%d}({per_week[w]})" for w in weeks if per_week[w] < floor]


# --------------------------------------------------------------------------

def main() -> int:
    rng = random.Random(SEED)
    for relpath in GENERATED:
        (RAW / relpath).unlink(missing_ok=True)
    website = make_website_items(rng)
    weibo = make_weibo_items(rng)
    wechat = make_wechat_items(rng)
    assert len(website) == CHANNEL_TOTALS["website"] and len(wechat) == CHANNEL_TOTALS["wechat"]
    assert {i["form"] for i in wechat} == {"datetime", "cn", "dot", "compact"}

    write_website_log(website)
    write_lock_file()
    write_weibo_first_half([i for i in weibo if i["time"].month <= 6])
    write_weibo_second_half([i for i in weibo if i["time"].month > 6 or i["url"] == WEIBO_DUPLICATE[2]])
    write_wechat_log(wechat)
    write_clerk_note()
    for year in APPLICATIONS_FILES:
        write_applications(year)
    write_appeals()
    write_documents()
    write_services()

    monthly = read_back_logs()
    print("channel   total  " + " ".join(f"{m:>4}" for m in range(1, 13)))
    for channel, counts in monthly.items():
        print(f"{channel:<8} {sum(counts):>6}  " + " ".join(f"{n:>4}" for n in counts))
    totals = [sum(c) for c in zip(*monthly.values())]
    print(f"{'total':<8} {sum(totals):>6}  " + " ".join(f"{n:>4}" for n in totals))
    for channel, items in (("weibo", weibo), ("wechat", wechat)):
        print(f"{channel} weeks below {WEEKLY_FLOOR[channel]} posts:",
              ", ".join(weeks_below_floor(items, WEEKLY_FLOOR[channel])) or "none")
    for channel, counts in monthly.items():
        if sum(counts) != CHANNEL_TOTALS[channel]:
            raise SystemExit(f"{channel}: {sum(counts)} items, expected {CHANNEL_TOTALS[channel]}")
    if monthly != EXPECTED_MONTHLY:
        print("monthly counts differ from EXPECTED_MONTHLY: update it and scripts/README.md",
              file=sys.stderr)
        return 1
    print(f"wrote {len(GENERATED)} files under {RAW}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
