"""Parse modes: the plain text and entities Telegram makes, and where it refuses."""

from __future__ import annotations

import pytest

from bot.sandbox.errors import ApiError
from bot.sandbox.markdown import parse_markdown, parse_markdown_v2
from bot.sandbox.markup import parse_html, utf16_len


def test_utf16_len_counts_emoji_twice() -> None:
    assert utf16_len("整改😀") == 4


def test_html_entities_and_offsets() -> None:
    text, entities = parse_html('😀<b>整改</b> <a href="https://t.me/x">链接</a> &lt;3')
    assert text == "😀整改 链接 <3"
    assert entities == [
        {"type": "bold", "offset": 2, "length": 2},
        {"type": "text_link", "offset": 5, "length": 2, "url": "https://t.me/x"},
    ]


def test_html_pre_with_language_is_one_entity() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert text == "x = 1"
    assert entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


@pytest.mark.parametrize(
    "bad",
    ["<b>未闭合", "<b><i>交叉</b></i>", "<div>块</div>", "1 < 2", '<span class="x">s</span>'],
)
def test_malformed_html_is_refused(bad: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(bad)
    assert caught.value.status == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities")


def test_markdown_v2() -> None:
    text, entities = parse_markdown_v2(r"*粗体* _斜体_ __下划线__ [链接](https://t.me/x) 1\.5")
    assert text == "粗体 斜体 下划线 链接 1.5"
    assert [e["type"] for e in entities] == ["bold", "italic", "underline", "text_link"]
    with pytest.raises(ApiError, match="reserved"):
        parse_markdown_v2("第1.5条")
    with pytest.raises(ApiError, match="Bold"):
        parse_markdown_v2("*未闭合")


def test_legacy_markdown() -> None:
    text, entities = parse_markdown("*粗* 1.5 `code`")
    assert text == "粗 1.5 code"
    assert [e["type"] for e in entities] == ["bold", "code"]
