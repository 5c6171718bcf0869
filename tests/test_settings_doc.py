"""Every setting is documented (the datasette way): docs/规则说明.md carries a table written from
scoring.profile.settings — each setting's label, stored name, default and help — and the test fails when
the code and the document part."""
from scoring.profile.settings import SETTINGS
from scoring.profile.settings_doc import DOC, block_of, table


def test_the_rules_document_lists_every_setting_as_the_code_has_it():
    text = DOC.read_text(encoding="utf-8")
    assert block_of(text) == table(), "设置一览与 scoring/profile/settings.py 不一致：运行 python -m scoring.profile.settings_doc"
    for s in SETTINGS:
        assert f"`{s.name}`" in text and s.help in text and s.label in text, s.name


def test_every_setting_has_a_chinese_label_and_help():
    for s in SETTINGS:
        assert s.label and s.label != s.name and s.help, s.name
