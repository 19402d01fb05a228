"""The one renderer of card, diff and profile tables: escaping, without dbt."""

from __future__ import annotations

from trainset.render import escape_html, html_table, md_cell, md_table


def test_a_markdown_cell_keeps_a_pipe_and_a_line_break_inside_its_row():
    assert md_cell("a|b") == "a\\|b"
    assert md_cell("one\ntwo\r\nthree\rfour") == "one two three four"
    assert md_cell(None) == ""
    assert md_cell(0) == "0"


def test_a_squeezed_markdown_cell_folds_whitespace_runs():
    assert md_cell("  a \t b\n\nc |d ", squeeze=True) == "a b c \\|d"
    assert md_cell("a  b") == "a  b"  # not squeezed: left as given


def test_a_markdown_table_has_one_line_per_row_whatever_its_cells_hold():
    lines = md_table(["split", "rows", "x|y"], [["train", 3, "p|q\nr"], ["test", None, ""]])
    assert lines == [
        "| split | rows | x\\|y |",
        "|---|---|---|",
        "| train | 3 | p\\|q r |",
        "| test |  |  |",
    ]
    # Every row splits into as many cells as the header: no pipe leaked.
    widths = {len(line.replace("\\|", "").split("|")) for line in lines}
    assert widths == {5}


def test_a_markdown_table_aligns_columns_right_from_an_index():
    assert md_table(["split", "rows", "a", "b"], [], right=1)[1] == "|---|---:|---:|---:|"


def test_html_escapes_markup_and_quotes():
    assert escape_html('<b a="1">&\'') == "&lt;b a=&quot;1&quot;&gt;&amp;&#x27;"
    assert escape_html(None) == ""


def test_an_html_table_escapes_headers_and_cells_but_not_a_cell_that_renders_itself():
    class Bold:
        def html(self) -> str:
            return "<b>ok</b>"

    table = html_table(["<h>"], [["<td>&"], [Bold()], [None]], css="wide")
    assert table == (
        '<table class="wide"><thead><tr><th>&lt;h&gt;</th></tr></thead><tbody>'
        "<tr><td>&lt;td&gt;&amp;</td></tr><tr><td><b>ok</b></td></tr><tr><td></td></tr>"
        "</tbody></table>"
    )
