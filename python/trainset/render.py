"""Tables and escaping for the card (markdown), the diff (markdown) and the
profile (HTML): one renderer, so a cell is escaped the same way everywhere."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

# A line break in a markdown cell ends the table row (\r as well as \n).
_BREAKS = re.compile(r"\r\n|\r|\n")


def md_cell(value: object, squeeze: bool = False) -> str:
    """A value as one markdown table cell: None as empty, pipes escaped,
    line breaks as spaces; squeeze also folds every run of whitespace
    into one space and trims the ends (prose, such as descriptions)."""
    text = "" if value is None else str(value)
    text = " ".join(text.split()) if squeeze else _BREAKS.sub(" ", text)
    return text.replace("|", "\\|")


def md_table(
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    right: int = 0,
    squeeze: bool = False,
) -> list[str]:
    """A GitHub markdown table as lines: every cell (headers too) through
    md_cell; the columns from index `right` on aligned right when right > 0."""

    def line(cells: Sequence[object]) -> str:
        return "| " + " | ".join(md_cell(c, squeeze) for c in cells) + " |"

    rule = "".join("---:|" if right and i >= right else "---|" for i in range(len(headers)))
    return [line(headers), "|" + rule, *(line(row) for row in rows)]


def escape_html(value: object) -> str:
    """A value as HTML text or attribute (quotes escaped), None as empty."""
    return html.escape("" if value is None else str(value))


class HtmlCell(Protocol):
    """A cell that renders its own HTML (already escaped)."""

    def html(self) -> str: ...


def html_table(headers: Sequence[object], rows: Iterable[Sequence[object]], css: str = "") -> str:
    """An HTML table on one line: headers and plain cells escaped; a cell
    with an html() method gives its own markup."""

    def cell(value: object) -> str:
        render = getattr(value, "html", None)
        return render() if callable(render) else escape_html(value)

    head = "".join(f"<th>{escape_html(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>" for row in rows)
    klass = f' class="{escape_html(css)}"' if css else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
