"""Chinese font set-up for matplotlib, pip-only and without global side effects.

The font is ``NotoSansCJKsc-Regular.otf`` (SIL Open Font License) shipped inside the
``mplfonts`` wheel. It is registered in this process only, with
``fontManager.addfont``: nothing is written into matplotlib's install folder or
cache, and ``mplfonts init`` is never run (it copies fonts into site-packages,
writes a matplotlibrc and deletes matplotlib's cache). ``mplfonts`` also ships
``SimHei.ttf``, which is not freely licensed; it is never registered or selected.

matplotlib is imported inside the functions only, so importing this module is cheap
(the CLI starts without loading matplotlib).
"""

from __future__ import annotations

import sys
from pathlib import Path

FONT_FILE = "NotoSansCJKsc-Regular.otf"
FALLBACK_FAMILY = "DejaVu Sans"  # matplotlib's bundled font, for any glyph Noto lacks


def font_path() -> Path:
    """Path of the Noto Sans CJK SC font inside the installed ``mplfonts`` package."""
    import importlib.resources

    path = Path(str(importlib.resources.files("mplfonts") / "fonts" / FONT_FILE))
    if not path.is_file():
        raise FileNotFoundError(
            f"找不到中文字体文件 {path}；请重新安装依赖（pip install mplfonts==0.0.11）。"
        )
    return path


def setup() -> str:
    """Register the CJK font and point matplotlib's defaults at it; return the font name.

    Sets ``font.family`` to sans-serif with the Noto font first (DejaVu Sans as glyph
    fallback), ``axes.unicode_minus`` False (the Unicode minus is not needed and an
    ASCII hyphen renders everywhere), ``svg.fonttype`` "path" (SVG text becomes
    outlines, so the SVGs look right on machines without the font) and a fixed
    ``svg.hashsalt`` (stable element ids, so re-rendering unchanged data gives an
    identical SVG). Selects the Agg backend unless pyplot has already been imported
    (then the caller, e.g. a notebook, chose a backend on purpose; the charts do not
    use pyplot and render through Agg/SVG canvases regardless).

    Idempotent: the font file is registered once per process.
    """
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    from matplotlib import font_manager

    path = font_path()
    manager = font_manager.fontManager
    registered = {Path(entry.fname).resolve() for entry in manager.ttflist}
    if path.resolve() not in registered:
        manager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()

    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [name, FALLBACK_FAMILY],
            "axes.unicode_minus": False,
            "svg.fonttype": "path",
            "svg.hashsalt": "pipeline-charts",
        }
    )
    return name


def resolved_font_file() -> Path:
    """The file matplotlib actually uses for the default (sans-serif) text after ``setup()``."""
    from matplotlib import font_manager

    return Path(font_manager.findfont(font_manager.FontProperties(family=["sans-serif"])))
