"""The dashboard's pages, in menu order: the one list that app.py's navigation, the page guard,
auth's role check and the tests read. Adding a page is one entry here (and its file in pages/).

It lives in scoring/ (plain data, no streamlit) because auth decides who may open which page.
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("查看", "录入", "管理", "单位")  # the account roles; scoring.accounts.auth says what each may do
ALL_ROLES = frozenset(ROLES)


@dataclass(frozen=True)
class Page:
    key: str            # stable identifier; also the URL path of the page
    file: str           # relative to the project root
    title: str          # menu title
    icon: str           # Material icon name (bundled with streamlit, no internet needed)
    roles: frozenset[str]
    # drawn once by the start-up warm-up (web/warm.py); not a page with an editable table, whose
    # editor makes Streamlit load pandas (~50 MiB per process) that browsing never needs
    warm: bool = True


PAGES: tuple[Page, ...] = (
    Page("home", "pages/home.py", "总览", ":material/home:", ALL_ROLES),
    Page("rank", "pages/rank.py", "排名", ":material/trophy:", ALL_ROLES),
    Page("unit", "pages/unit.py", "单位详情", ":material/search:", ALL_ROLES),
    Page("commend", "pages/commend.py", "评先评优", ":material/military_tech:", frozenset({"查看", "录入", "管理"})),
    Page("upload", "pages/upload.py", "数据导入", ":material/upload_file:", frozenset({"录入", "管理"})),
    Page("review", "pages/review.py", "核对与更正", ":material/fact_check:", frozenset({"录入", "管理", "单位"})),
    Page("rules", "pages/rules.py", "规则试算", ":material/balance:", frozenset({"查看", "录入", "管理"}), warm=False),
    Page("export", "pages/export.py", "导出", ":material/description:", frozenset({"查看", "录入", "管理"})),
    Page("admin", "pages/admin.py", "管理", ":material/settings:", frozenset({"管理"})),
)
BY_KEY = {p.key: p for p in PAGES}
HOME = "home"  # the page every signed-in user and kiosk guest may open


def file_of(key: str) -> str:
    return BY_KEY[key].file
