"""Write the shipped import template and filled example: data/模板.xlsx and data/示例.xlsx.

Run from the project root after the rules or the unit list change:  python scripts/make_templates.py
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a plain script, without installing the package

from demo.example import write_example  # noqa: E402
from scoring.intake.template import write_template  # noqa: E402

if __name__ == "__main__":
    write_template(ROOT / "data" / "模板.xlsx")
    write_example(ROOT / "data" / "示例.xlsx")
    print("已生成 data/模板.xlsx、data/示例.xlsx")
