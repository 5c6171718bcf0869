"""Streamlit's table grid in Chinese. Streamlit 1.67 writes the grid's column menu ("Sort ascending",
"Hide column", the Format and Statistics submenus) and its toolbar tips in English with no option
to change them; a script in the page puts the Chinese words in their place as they appear, so
sorting, pinning, hiding and searching are offered in Chinese on every table."""
from __future__ import annotations

import json

import streamlit as st

WORDS = {
    # the column menu
    "Sort ascending": "升序排列", "Sort descending": "降序排列", "Statistics": "统计", "Format": "数字格式",
    "Autosize": "自动列宽", "Pin column": "固定此列", "Unpin column": "取消固定", "Hide column": "隐藏此列",
    "Copy column name": "复制列名", "Dataframe column menu": "表格列菜单",
    # its Format submenu
    "Automatic": "自动", "Localized": "本地格式", "Plain": "原样", "Compact": "简写", "Dollar": "美元",
    "Euro": "欧元", "Yen": "日元", "Percent": "百分比", "Scientific": "科学计数", "Accounting": "会计格式",
    "Duration": "时长", "Distance": "相对时间", "Calendar": "日历",
    # its Statistics submenu
    "Count": "个数", "Distinct": "不同值", "Empty": "空值", "Minimum": "最小值", "Maximum": "最大值",
    "Average": "平均值", "Median": "中位数", "Sum": "合计", "Standard deviation": "标准差", "Range": "范围",
    "Values": "取值", "Based on sample": "按抽样计算", "Minimum length": "最短长度", "Maximum length": "最长长度",
    "Average length": "平均长度", "Top values frequency chart": "常见取值", "Distribution histogram": "分布",
    "No data": "无数据", "True": "是", "False": "否",
    # the toolbar over a table and its search box
    "Show/hide columns": "显示或隐藏列", "Search": "搜索", "Type to search": "输入要查找的文字",
    "Close Search": "关闭搜索", "Next Result": "下一个", "Previous Result": "上一个",
    "Fullscreen": "全屏", "Close fullscreen": "退出全屏", "Exit fullscreen": "退出全屏",
    "Clear selection": "取消选择", "Select all": "全选",
}

# Where the grid draws its own words: the toolbar over a table, and the menus, tips and search box
# it opens in the page's overlay layer (small). The table itself (a canvas with an accessible copy
# of every cell) and text elsewhere (a unit's name, say) are never walked.
_PLACES = ('[data-testid="stElementToolbar"], [data-testid="portal"], [data-baseweb="tooltip"], '
           '[data-baseweb="popover"], [role="menu"], [role="tooltip"], [data-testid^="stDataFrameColumn"], '
           '[data-testid="stDataFrameSearch"]')

_SCRIPT = """<script>
(() => {
  if (window.__gridInChinese) return;
  window.__gridInChinese = true;
  const words = %s, places = %s;
  const attrs = ["aria-label", "title", "placeholder"];
  const put = (el) => {
    for (const a of attrs) {
      const v = el.getAttribute(a);
      if (v && words[v.trim()]) el.setAttribute(a, words[v.trim()]);
    }
    for (const node of el.childNodes) {
      const t = node.nodeType === Node.TEXT_NODE && node.nodeValue.trim();
      if (t && words[t]) node.nodeValue = node.nodeValue.replace(t, words[t]);
    }
  };
  const all = (el) => { put(el); el.querySelectorAll("*").forEach(put); };
  // an added element inside one of the places is translated whole; otherwise only the places in it
  const scan = (el) => el.closest(places) ? all(el) : el.querySelectorAll(places).forEach(all);
  new MutationObserver((changes) => {
    for (const c of changes) {
      const el = c.target instanceof Element ? c.target : c.target.parentElement;
      if (c.type === "childList") c.addedNodes.forEach(n => n instanceof Element ? scan(n) : el && el.closest(places) && put(el));
      else if (el && el.closest(places)) put(el);
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true,
                             attributeFilter: attrs});
  scan(document.body);
})();
</script>"""


def chinese_grid() -> None:
    """Put the script in the page (once per run; it installs itself once per browser tab)."""
    st.html(_SCRIPT % (json.dumps(WORDS, ensure_ascii=False), json.dumps(_PLACES)), unsafe_allow_javascript=True)
