"""`make bench`: how fast is the pipeline at 10k, 100k and 500k rows, against what a user would write by hand?

Generates realistic workloads once (cached under benchmarks/.cache/), then times, each in a
fresh subprocess and several times (median reported): the pandas + openpyxl baseline, the bare
fastest reader (fastexcel), `pipeline run` from an empty output folder, and `pipeline run`
with nothing changed. Prints one table and writes benchmarks/results.md. See README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
GENERATOR_VERSION = 3  # bump when the generated files change, so cached workloads are rebuilt
SIZES = {"10k": 10_000, "100k": 100_000, "500k": 500_000}
REPEATS = 3
BASELINE_REPEATS_500K = 1  # ~60 s a run on a 2-core VM; say so in the output
YEARS = (2022, 2023, 2024)
MAX_FILE_ROWS = 40_000  # platform exports come in pages; also what bounds the pipeline's memory
# Requests are few next to publications: the demo office published 934 items and received 7 requests in 2019.
SHARE = {"website": 0.49, "weibo": 0.245, "wechat": 0.245, "applications": 0.02}
SAMPLE_SECONDS = 0.05

CHARS = ("政府信息公开工作年度报告关于进一步加强和改进全市范围内的安全生产监督管理通知发布会召开疫情防控重点项目建设推进情况"
         "新闻办举行民生实事落实乡村振兴营商环境优化改革创新服务群众市场监管局公告依法行政教育卫生健康交通运输生态环境保护"
         "文化旅游体育人力资源社会保障镇街道村社区农业农村水利防汛防台消防应急管理")
CATEGORIES = ["政务要闻", "通知公告", "政策解读", "部门动态", "基层动态", "政策文件", "人事信息", "财政预决算", "建议提案办理", "公众参与", "新闻发布会", "专题专栏"]
APPLICANTS = ["自然人", "公民", "个人", "商业企业", "企业", "公司", "科研机构", "社会公益组织", "法律服务机构", "律师事务所", "其他"]
OUTCOMES = ["予以公开", "予以公开", "予以公开", "部分公开", "不予公开-属于国家秘密", "（三）不予公开：保护第三方合法权益",
            "无法提供/本机关不掌握相关政府信息", "无法提供-没有现成信息需要另行制作", "不予处理-信访举报投诉类申请", "不予处理—重复申请", "其他处理"]
# Per channel: header as exported, date column, and the mix of date forms (date cell, text, yyyymmdd number).
LAYOUTS = {
    "website": (["序号", "发布日期", "信息标题", "信息类别", "链接"], "发布日期"),
    "weibo": (["发布时间", "微博内容", "微博链接", "转发数", "评论数", "点赞数"], "发布时间"),
    "wechat": (["发表时间", "文章标题", "原文链接", "阅读数", "点赞数"], "发表时间"),
    "applications": (["序号", "申请编号", "收到日期", "申请人类型", "答复日期", "办理结果", "收费金额", "申请内容"], "收到日期"),
}
LABELS = {"website": "政府网站信息发布台账", "weibo": "政务微博发布记录", "wechat": "政务微信文章列表", "applications": "依申请公开登记台账"}


# ---------------------------------------------------------------- workload generation

def plan_files(n: int) -> list[dict]:
    """Split n rows over the folders, per year, in files of at most MAX_FILE_ROWS rows."""
    files = []
    for folder, share in SHARE.items():
        per_year = round(n * share / len(YEARS))
        for year in YEARS:
            parts = -(-per_year // MAX_FILE_ROWS)
            for part in range(parts):
                rows = per_year // parts + (1 if part < per_year % parts else 0)
                suffix = f"-{part + 1}" if parts > 1 else ""
                files.append({"folder": folder, "year": year, "rows": rows, "rel": f"{folder}/{year}年{LABELS[folder]}{suffix}.xlsx"})
    for i, f in enumerate(files):
        f["title_row"] = i % 2 == 0  # a title such as "2023年政府网站信息发布台账" above the header in half the files
        f["no"], f["seed"] = i, f"{n}-{i}-{GENERATOR_VERSION}"
    return files


def _text_date(rnd: random.Random, d: dt.date) -> str:
    return rnd.choice([f"{d:%Y-%m-%d}", f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}", f"{d:%Y%m%d}", f"{d.year}年{d.month}月{d.day}日"])


def write_file(spec: dict, raw: Path) -> dict:
    """Write one workbook; return its manifest entry (sheet, header row, data rows)."""
    import xlsxwriter

    rnd = random.Random(spec["seed"])
    folder, year, n = spec["folder"], spec["year"], spec["rows"]
    header, date_col = LAYOUTS[folder]
    path = raw / spec["rel"]
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    if folder == "wechat" and spec["title_row"]:
        wb.add_worksheet("说明").write(0, 0, "本表由公众号后台导出，请勿修改表头。")
    sheet = "文章列表" if folder == "wechat" else "Sheet1"
    ws = wb.add_worksheet(sheet)
    day_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    r = 0
    if spec["title_row"]:
        ws.merge_range(0, 0, 0, len(header) - 1, f"{year}年{LABELS[folder]}")
        r = 1
    header_row = r
    ws.write_row(r, 0, header)
    days = sorted(dt.date(year, 1, 1) + dt.timedelta(days=rnd.randrange(365)) for _ in range(n))
    dcol = header.index(date_col)
    i = 0
    while i < n:
        r += 1
        d = days[i]
        span = 1
        if folder == "website" and rnd.random() < 0.01:  # same-day items with the date cell merged vertically
            span = min(rnd.randint(2, 5), n - i)
            ws.merge_range(r, dcol, r + span - 1, dcol, dt.datetime(d.year, d.month, d.day), day_fmt)
        for k in range(span):
            _write_row(ws, rnd, folder, r + k, header, days[i + k], merged=span > 1, day_fmt=day_fmt, time_fmt=time_fmt, serial=f"{year}-{spec['no']:02d}{i + k + 1:06d}")
        r += span - 1
        i += span
    if folder == "website":  # pre-filled 序号 below the data, then a totals row
        ws.write_number(r + 1, 0, n + 1)
        ws.write_number(r + 2, 0, n + 2)
        ws.write_row(r + 3, 0, ["合计", n])
    wb.close()
    return {"rel": spec["rel"], "kind": folder, "sheet": sheet, "header_row": header_row, "date_column": date_col, "rows": n}


def _write_row(ws, rnd, folder, r, header, d, merged, day_fmt, time_fmt, serial) -> None:
    """One data row, with the awkwardness of real registers at a low rate (bad dates, empty titles, duplicates)."""
    when = dt.datetime(d.year, d.month, d.day, rnd.randrange(8, 22), rnd.randrange(60))
    title = "".join(rnd.choices(CHARS, k=rnd.randint(20, 60)))
    link_no = serial if rnd.random() > 0.001 else serial[:-6] + f"{rnd.randrange(1, 1000):06d}"  # a re-published item: a duplicate
    link = f"https://www.example.gov.cn/xxgk/{d:%Y%m}/t{d:%Y%m%d}_{link_no}.html"
    bad = rnd.random()
    answered = dt.datetime(d.year, d.month, d.day) + dt.timedelta(days=rnd.randint(1, 20))
    if answered.year > YEARS[-1] or rnd.random() < 0.02:
        answered = None  # still pending: no 答复日期, no 办理结果
    for c, name in enumerate(header):
        if name in ("发布日期", "发布时间", "发表时间", "收到日期"):
            if merged:
                continue
            if bad < 0.0005:
                ws.write_string(r, c, f"{d.year}-02-30")
            elif folder == "weibo" and rnd.random() < 0.9:
                ws.write_datetime(r, c, when, time_fmt)
            elif folder == "weibo":
                ws.write_string(r, c, f"{when:%Y/%m/%d %H:%M}")
            else:
                form = rnd.random()
                if form < 0.85:
                    ws.write_datetime(r, c, dt.datetime(d.year, d.month, d.day), day_fmt)
                elif form < 0.87 and folder == "wechat":
                    ws.write_number(r, c, int(f"{d:%Y%m%d}"))
                else:
                    ws.write_string(r, c, _text_date(rnd, d))
        elif name in ("信息标题", "微博内容", "文章标题"):
            if not 0.0005 <= bad < 0.001:
                ws.write_string(r, c, title)
        elif name in ("链接", "微博链接", "原文链接"):
            ws.write_string(r, c, link)
        elif name == "信息类别":
            ws.write_string(r, c, rnd.choice(CATEGORIES))
        elif name == "序号":
            ws.write_number(r, c, r)
        elif name in ("转发数", "评论数", "点赞数", "阅读数"):
            ws.write_number(r, c, rnd.randrange(0, 20000))
        elif name == "申请编号":
            ws.write_string(r, c, f"SQ{serial}")
        elif name == "申请人类型":
            ws.write_string(r, c, rnd.choice(APPLICANTS))
        elif name == "答复日期" and answered:
            ws.write_datetime(r, c, answered, day_fmt)
        elif name == "办理结果" and answered:
            ws.write_string(r, c, rnd.choice(OUTCOMES))
        elif name == "收费金额":
            if rnd.random() < 0.02:
                ws.write_number(r, c, rnd.choice([0, 10, 100]))
        elif name == "申请内容":
            ws.write_string(r, c, "申请公开" + title)


def workload(size: str) -> Path:
    """The cached workload of one size, generated (in parallel) when missing or from an older generator."""
    folder = CACHE / f"{size}-v{GENERATOR_VERSION}"
    if (folder / "manifest.json").exists():
        return folder
    for stale in CACHE.glob(f"{size}-v*"):
        shutil.rmtree(stale)
    t0 = time.perf_counter()
    specs = plan_files(SIZES[size])
    print(f"generating the {size} workload ({len(specs)} files) into {folder} …", flush=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        files = list(pool.map(write_file, specs, [folder / "raw"] * len(specs)))
    manifest = {"size": size, "rows": sum(f["rows"] for f in files), "files": files, "generator": GENERATOR_VERSION}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"  done in {time.perf_counter() - t0:.1f} s", flush=True)
    return folder


# ---------------------------------------------------------------- the measured programs (run as children)

def child_baseline(folder: Path) -> None:
    """What a user writes by hand: pandas.read_excel (openpyxl) of every file into one frame, then the month-by-channel groupby."""
    import pandas as pd

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    posts, requests = [], []
    for f in manifest["files"]:
        df = pd.read_excel(folder / "raw" / f["rel"], sheet_name=f["sheet"], header=f["header_row"], engine="openpyxl")
        df["日期"] = pd.to_datetime(df[f["date_column"]], errors="coerce", format="mixed")
        if f["kind"] == "applications":
            requests.append(df)
        else:
            posts.append(df.assign(渠道=f["kind"]))
    posts, requests = pd.concat(posts, ignore_index=True), pd.concat(requests, ignore_index=True)
    by_month = posts.groupby(["渠道", posts["日期"].dt.to_period("M")]).size()
    by_applicant = requests.groupby([requests["日期"].dt.year, "申请人类型"]).size()
    print(json.dumps({"rows": len(posts) + len(requests), "groups": len(by_month) + len(by_applicant)}))


def child_bare(folder: Path) -> None:
    """The practical limit: fastexcel straight to Arrow, every file held in memory, no checks at all."""
    import fastexcel

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    tables = [fastexcel.read_excel(str(folder / "raw" / f["rel"])).load_sheet(f["sheet"], header_row=f["header_row"]).to_arrow() for f in manifest["files"]]
    print(json.dumps({"rows": sum(t.num_rows for t in tables)}))


# ---------------------------------------------------------------- measuring

def _tree_memory(root: int) -> int:
    """Bytes of memory of root and all its descendants: the sum of their PSS, so pages shared between
    the reader workers and their forkserver count once (RSS where smaps_rollup is missing)."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            total += next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")) * 1024
        except (OSError, StopIteration):
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except OSError:
                pass
        todo.extend(parents.get(pid, []))
    return total


def measure(cmd: list[str], log: Path, sample: bool) -> tuple[float, float | None]:
    """Run cmd in a fresh process: (wall seconds, peak MiB of the whole process tree if `sample`, else None).

    Sampling is for memory runs only: reading the PSS of a tree of processes every 50 ms takes
    about a fifth of a core (1.5 CPU-s over a 7 s pipeline run on 2 cores, which made it 1 s
    slower), and costs a many-process pipeline more than a one-process reader.
    """
    with open(log, "w") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT)
        peak = [0]
        done = threading.Event()

        def sampling():
            while not done.is_set():
                peak[0] = max(peak[0], _tree_memory(proc.pid))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sampling, daemon=True) if sample else None
        if sampler:
            sampler.start()
        _, status, _ = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        if sampler:
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1 = done with row errors, which the workload has on purpose
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{log.read_text()[-3000:]}")
    return wall, peak[0] / 2**20 if sample else None


def pipeline_cmd(folder: Path, out: Path, command: str = "run") -> list[str]:
    return [sys.executable, "-m", "pipeline", command, "--raw", str(folder / "raw"), "--out", str(out), "--config", str(ROOT / "pipeline.toml")]


def run_size(size: str, repeats: int) -> dict:
    folder = workload(size)
    rows = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["rows"]
    out, logs = folder / "out", folder / "logs"
    logs.mkdir(exist_ok=True)
    me = [sys.executable, str(Path(__file__).resolve())]
    base_repeats = BASELINE_REPEATS_500K if size == "500k" else repeats

    def fresh(command: str):
        shutil.rmtree(out, ignore_errors=True)
        return pipeline_cmd(folder, out, command)

    # (key, label, repeats, command, what its output must say: a run that crashed also exits 1)
    steps = [
        ("baseline", "pandas.read_excel(openpyxl) + groupby", base_repeats, lambda: me + ["--child", "baseline", str(folder)], '"rows"'),
        ("bare", "fastexcel → Arrow, no checks", repeats, lambda: me + ["--child", "bare", str(folder)], '"rows"'),
        ("ingest", "pipeline validate, empty output folder (ingest and checks; no tables, no charts)", repeats, lambda: fresh("validate"), "检查完成"),
        ("full", "pipeline run, empty output folder (charts included)", repeats, lambda: fresh("run"), "运行完成"),
        ("noop", "pipeline run, nothing changed", repeats, lambda: pipeline_cmd(folder, out), "没有变化"),
    ]
    result = {"size": size, "rows": rows, "files": len(json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]), "steps": {}}
    for key, label, n, cmd, expect in steps:
        runs = []
        # n timed runs, then one more whose memory is sampled (its time is not used).
        for i in range(n + 1):
            log = logs / f"{key}-{i}.log"
            runs.append(measure(cmd(), log, sample=i == n))
            if expect not in log.read_text(encoding="utf-8", errors="replace"):
                raise SystemExit(f"{key} did not finish as expected (no “{expect}” in its output):\n{log.read_text(encoding='utf-8', errors='replace')[-3000:]}")
            what = f"memory run: {runs[-1][1]:.0f} MiB" if i == n else f"run {i + 1}/{n}: {runs[-1][0]:.2f} s"
            print(f"  {size} {key} {what}", flush=True)
        timed, (_, mib) = runs[:n], runs[n]
        result["steps"][key] = {"label": label, "runs": n, "seconds": statistics.median(r[0] for r in timed), "mib": mib, "all": timed}
    return result


# ---------------------------------------------------------------- profile

def profile(size: str) -> list[tuple[str, float, float, str]] | None:
    """py-spy over `pipeline run` (workers included): CPU time by the innermost pipeline function on the stack."""
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        print("profile skipped: py-spy is not installed (`make bench` installs the bench extra)")
        return None
    folder = workload(size)
    out, raw = folder / "out-profile", folder / "logs" / "profile.txt"
    shutil.rmtree(out, ignore_errors=True)
    rate = 100
    subprocess.run([spy, "record", "--subprocesses", "--rate", str(rate), "--format", "raw", "--output", str(raw), "--", *pipeline_cmd(folder, out)],
                   cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(out, ignore_errors=True)
    by_function, callee, total = Counter(), {}, 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        frames, n = stack.split(";"), int(count)
        total += n
        ours = [i for i, f in enumerate(frames) if _our_frame(f)]
        key = _frame_name(frames[ours[-1]]) if ours else "interpreter start-up and imports (outside pipeline code)"
        below = _frame_name(frames[ours[-1] + 1]) if ours and ours[-1] + 1 < len(frames) else "(own code)"
        by_function[key] += n
        callee.setdefault(key, Counter())[below] += n
    return [(key, n / rate, 100 * n / total, callee[key].most_common(1)[0][0]) for key, n in by_function.most_common(5)]


_FRAME = re.compile(r"^(?P<name>.*) \((?P<path>[^()]+):\d+\)$")


def _our_frame(frame: str) -> bool:
    """A py-spy frame 'fn (pipeline/read.py:12)' of the package (paths are shown relative to sys.path)."""
    m = _FRAME.match(frame)
    return bool(m) and (m["path"].startswith("pipeline/") or "/pipeline/" in m["path"]) and "site-packages" not in m["path"]


def _frame_name(frame: str) -> str:
    """'fn (path/to/file.py:12)' → 'fn (file.py)'."""
    m = _FRAME.match(frame)
    return f"{m['name']} ({Path(m['path']).name})" if m else frame[:60]


# ---------------------------------------------------------------- report

def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    packages = ["pandas", "numpy", "pyarrow", "fastexcel", "python-calamine", "openpyxl", "pandera", "duckdb", "matplotlib", "xlsxwriter"]
    versions = ", ".join(f"{p} {importlib.metadata.version(p)}" for p in packages)
    return [f"- CPU: {cpu}, {os.cpu_count()} cores", f"- RAM: {mem / 2**20:.1f} GiB", f"- OS: {platform.platform()}",
            f"- Python: {platform.python_version()}", f"- packages: {versions}"]


def table(results: list[dict]) -> list[str]:
    lines = ["| size | files | measurement | runs | median s | rows/s | peak MiB |", "|---|---|---|---|---|---|---|"]
    for r in results:
        for key, s in r["steps"].items():
            lines.append(f"| {r['size']} ({r['rows']:,} rows) | {r['files']} | {s['label']} | {s['runs']} | {s['seconds']:.2f} | {r['rows'] / s['seconds']:,.0f} | {s['mib']:.0f} |")
    return lines


def ratios(results: list[dict]) -> list[str]:
    lines = ["| size | pipeline/baseline (rows/s) | pipeline/bare reader (rows/s) | ingest only: /baseline, /bare reader | no-op/full (time) |", "|---|---|---|---|---|"]
    for r in results:
        s = r["steps"]
        base, bare, full, ingest = (s[k]["seconds"] for k in ("baseline", "bare", "full", "ingest"))
        lines.append(f"| {r['size']} | {base / full:.1f}x | {bare / full:.2f} | {base / ingest:.1f}x, {bare / ingest:.2f} | {s['noop']['seconds'] / full:.3f} |")
    by = {r["size"]: r for r in results}
    if "10k" in by and "500k" in by:
        lines.append("")
        lines.append(f"500k/10k time of the full run: {by['500k']['steps']['full']['seconds'] / by['10k']['steps']['full']['seconds']:.1f}x (rows: 50x)")
    return lines


def targets(results: list[dict]) -> list[str]:
    by = {r["size"]: r for r in results}
    if "500k" not in by:
        return ["(targets are judged on the 500k workload, which was not run)"]
    s = by["500k"]["steps"]
    full, checks = s["full"]["seconds"], []
    for key, what in (("ingest", "ingest (`pipeline validate`: read, normalise, validate, load)"), ("full", "full run (ingest + tables + charts)")):
        t = s[key]["seconds"]
        checks.append((f"{what} ≥ 10x the rows/s of the openpyxl baseline", s["baseline"]["seconds"] / t >= 10, f"{s['baseline']['seconds'] / t:.1f}x"))
        checks.append((f"{what} ≥ half the rows/s of the bare reader", s["bare"]["seconds"] / t >= 0.5, f"{s['bare']['seconds'] / t:.2f}"))
    checks.append(("no-op run < 10% of the full run", s["noop"]["seconds"] < 0.1 * full, f"{100 * s['noop']['seconds'] / full:.1f}%"))
    checks.append(("no-op run < 1 s", s["noop"]["seconds"] < 1, f"{s['noop']['seconds']:.2f} s"))
    for key in ("ingest", "full"):
        checks.append((f"{key} peak memory < baseline peak", s[key]["mib"] < s["baseline"]["mib"], f"{s[key]['mib']:.0f} vs {s['baseline']['mib']:.0f} MiB"))
    if "10k" in by:
        growth = full / by["10k"]["steps"]["full"]["seconds"]
        checks.append(("500k run ≤ 60x the 10k run", growth <= 60, f"{growth:.1f}x"))
    return ["| target (500k) | met | measured |", "|---|---|---|"] + [f"| {name} | {'yes' if ok else '**no**'} | {value} |" for name, ok, value in checks]


def report(results: list[dict], top: list | None, started: str) -> str:
    lines = [
        "# Benchmark results", "",
        f"Written by `make bench` (benchmarks/bench.py, generator v{GENERATOR_VERSION}) on {started}. "
        "Every time is the median of several runs, each a fresh process timed from start to exit (interpreter start and imports included), "
        "with a warm page cache. Peak MiB is the largest memory of the process and all its children together (sum of PSS, so pages "
        "shared between reader workers count once), sampled every "
        f"{SAMPLE_SECONDS * 1000:.0f} ms in one more run of the same command; the timed runs are not sampled, because sampling a tree "
        "of processes takes about a fifth of a core. rows/s = the workload's data rows / wall time.", "",
        "## Machine", "", *machine(), "",
        "## Workloads", "",
        f"Publication logs of website/weibo/wechat ({', '.join(f'{k} {v:.0%}' for k, v in SHARE.items())} of the rows) for {YEARS[0]}–{YEARS[-1]}, "
        f"one file per folder and year, split into files of at most {MAX_FILE_ROWS:,} rows; titles of 20–60 Chinese characters, URLs, categories, "
        "dates mostly real date cells with 10–15% text dates in five forms (and yyyymmdd numbers in wechat), a title row above the header in half the files, "
        "an instructions sheet before the data in some wechat files, vertically merged date cells, pre-filled 序号 rows and a totals row in website files, "
        "and at a low rate impossible dates, empty titles and re-published (duplicate) items.", "",
        "## Results", "", *table(results), "",
        f"The baseline at 500k ran {BASELINE_REPEATS_500K} time(s) only (about a minute a run). "
        f"The full run writes every output: tables, problems report and charts (PNG + SVG) of {len(YEARS)} report years.", "",
        "## Ratios", "", *ratios(results), "",
        "## Targets", "", *targets(results), "",
    ]
    if top:
        lines += ["## Profile of the 500k full run (py-spy, workers included)", "",
                  "CPU seconds by the innermost function of pipeline code on the stack (what it called most is in the last column).", "",
                  "| # | where | CPU s | share | mostly in |", "|---|---|---|---|---|"]
        lines += [f"| {i} | {key} | {sec:.1f} | {share:.0f}% | {below} |" for i, (key, sec, share, below) in enumerate(top, 1)]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile of the 500k run")
    parser.add_argument("--child", nargs=2, metavar=("PROGRAM", "WORKLOAD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        {"baseline": child_baseline, "bare": child_bare}[args.child[0]](Path(args.child[1]))
        return
    started = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    results = [run_size(size, args.repeats) for size in args.sizes]
    top = profile("500k") if "500k" in args.sizes and not args.no_profile else None
    text = report(results, top, started)
    print("\n" + text.split("## Results", 1)[1])
    if args.sizes == list(SIZES):
        (HERE / "results.md").write_text(text, encoding="utf-8")
        print(f"written to {HERE / 'results.md'}")


if __name__ == "__main__":
    main()
