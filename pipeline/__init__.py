"""政府信息公开工作年度报告统计流水线 (annual report statistics pipeline)."""

__version__ = "0.1.0"
