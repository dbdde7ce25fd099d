"""Configuration from pipeline.toml: agency, channels, formats per year, folders."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from pipeline.guard import Limits

DEFAULT_CHANNELS = {"website": "政府网站", "weibo": "政务微博", "wechat": "政务微信"}
FORMATS = ("2019", "2021")
# Folders whose kind is fixed by the input contract; a channel may not reuse them.
FIXED_FOLDERS = ("applications", "appeals", "documents", "services")


class ConfigError(Exception):
    """pipeline.toml cannot be used; the message is for the clerk (Chinese)."""


@dataclass(frozen=True)
class Config:
    agency: str
    channels: dict[str, str]
    raw_dir: Path
    out_dir: Path
    formats: dict[int, str] = field(default_factory=dict)
    path: Path | None = None
    limits: Limits = field(default_factory=Limits)

    def format_for(self, year: int) -> str:
        """The official format of a report year: configured, else 2019 up to 2020, 2021 from 2021."""
        return self.formats.get(year, "2019" if year <= 2020 else "2021")


def load(path: Path, raw: Path | None = None, out: Path | None = None) -> Config:
    """Read pipeline.toml; relative folders are relative to the file's folder."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"找不到配置文件 {path}。请在项目根目录放置 pipeline.toml（可复制仓库中的示例）。")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"配置文件 {path} 格式错误：{exc}。请按 TOML 格式修改后重试。") from None
    base = path.resolve().parent
    agency = data.get("agency")
    if not isinstance(agency, str) or not agency.strip():
        raise ConfigError(f"配置文件 {path} 缺少机关名称：请填写 agency = \"某某人民政府\"。")
    channels = data.get("channels", DEFAULT_CHANNELS)
    if not isinstance(channels, dict) or not channels or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in channels.items()
    ):
        raise ConfigError(f"配置文件 {path} 的 [channels] 应为“文件夹名 = \"渠道名称\"”的列表，且至少一个渠道。")
    clash = sorted(set(channels) & (set(FIXED_FOLDERS) | {"total"}))
    if clash:
        raise ConfigError(f"配置文件 {path} 的渠道文件夹名 {', '.join(clash)} 与固定文件夹或合计行重名，请改名。")
    formats = {}
    for year, fmt in data.get("formats", {}).items():
        if not str(year).isdigit() or str(fmt) not in FORMATS:
            raise ConfigError(f"配置文件 {path} 的 [formats] 中 {year} = {fmt!r} 无效：年度应为数字，格式为 \"2019\" 或 \"2021\"。")
        formats[int(year)] = str(fmt)
    return Config(
        agency=agency.strip(),
        channels={k: v.strip() for k, v in channels.items()},
        raw_dir=Path(raw) if raw else base / data.get("raw_dir", "data/raw"),
        out_dir=Path(out) if out else base / data.get("out_dir", "data/processed"),
        formats=formats,
        path=path,
        limits=_limits(path, data.get("limits", {})),
    )


def _limits(path: Path, given) -> Limits:
    """[limits]: any of Limits' fields, each a positive number (workers: a whole number, 0 for one per core)."""
    known = [f.name for f in fields(Limits)]
    if not isinstance(given, dict) or set(given) - set(known):
        raise ConfigError(f"配置文件 {path} 的 [limits] 只能包含：{', '.join(known)}。")
    for key, value in given.items():
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = number and (isinstance(value, int) and value >= 0 if key == "workers" else value > 0)
        if not ok:
            raise ConfigError(f"配置文件 {path} 的 [limits] 中 {key} = {value!r} 无效：应为{'不小于 0 的整数' if key == 'workers' else '大于 0 的数'}。")
    return replace(Limits(), **given)
