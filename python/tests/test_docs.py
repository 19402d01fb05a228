"""The README and docs/ only point at what ships: every relative link
resolves to a file in the repository (and an anchor to a heading of it),
and the README's table of commands lists every make target and trainset
subcommand. Fast: no dbt, no network."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import BIN, PROJECT

# [text](target) and ![alt](target); a target may carry a "title".
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def documents(project: Path = PROJECT) -> list[Path]:
    return [project / "README.md", *sorted((project / "docs").glob("*.md"))]


def links(text: str) -> list[str]:
    """The link targets of a markdown text, outside code."""
    text = CODE_SPAN.sub("", FENCE.sub("", text))
    return LINK.findall(text)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped,
    spaces to hyphens."""
    text = CODE_SPAN.sub(lambda m: m.group(0).strip("`"), heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The anchors of a markdown text's headings (a repeated heading gets
    -1, -2, … as on GitHub)."""
    found: set[str] = set()
    for line in FENCE.sub("", text).splitlines():
        match = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line)
        if match:
            base = anchor(match.group(1))
            name, n = base, 0
            while name in found:
                n += 1
                name = f"{base}-{n}"
            found.add(name)
    return found


def broken_links(document: Path, root: Path) -> list[str]:
    """Each relative link of document that does not resolve to a file
    inside root, or whose #anchor names no heading of its markdown file."""
    broken = []
    for target in links(document.read_text()):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # http(s), mailto: not fetched
        path_part, _, fragment = target.partition("#")
        path = (document.parent / path_part).resolve() if path_part else document
        if not path.is_relative_to(root.resolve()):
            broken.append(f"{target}: outside the repository")
        elif not path.exists():
            broken.append(f"{target}: no such file")
        elif fragment and path.suffix == ".md" and fragment not in anchors(path.read_text()):
            broken.append(f"{target}: no heading #{fragment} in {path.name}")
    return broken


def test_every_relative_link_resolves():
    broken = {
        str(doc.relative_to(PROJECT)): found
        for doc in documents()
        if (found := broken_links(doc, PROJECT))
    }
    assert broken == {}


def test_a_broken_link_is_reported(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A page\n\n## Its part\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n\n"
        "[ok](docs/a.md) [ok too](docs/a.md#its-part) [self](#title) "
        "[web](https://example.com/x.md) `[code](nowhere.md)`\n\n"
        "```\n[in a fence](nowhere.md)\n```\n\n"
        "[gone](docs/b.md) [bad anchor](docs/a.md#no-part) "
        "![picture](docs/missing.png) [outside](../shared/conventions.md)\n"
    )
    assert broken_links(readme, tmp_path) == [
        "docs/b.md: no such file",
        "docs/a.md#no-part: no heading #no-part in a.md",
        "docs/missing.png: no such file",
        "../shared/conventions.md: outside the repository",
    ]


def test_anchors_follow_github():
    text = "# trainset\n## The raw desk contract\n### Quarantine: nothing is lost silently\n"
    text += "## `trainset export`, and loading\n## Spark\n## Spark\n"
    assert anchors(text) == {
        "trainset",
        "the-raw-desk-contract",
        "quarantine-nothing-is-lost-silently",
        "trainset-export-and-loading",
        "spark",
        "spark-1",
    }


def readme_commands() -> set[str]:
    """The commands in the first column of the README's table of commands."""
    section = (PROJECT / "README.md").read_text().split("## Commands", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `((?:make|trainset) [\w-]+)` \|", section, re.MULTILINE))


def make_targets() -> set[str]:
    phony = re.search(r"^\.PHONY:(.*)$", (PROJECT / "Makefile").read_text(), re.MULTILINE)
    assert phony, "the Makefile has no .PHONY line"
    return {f"make {name}" for name in phony.group(1).split()}


def subcommands() -> set[str]:
    usage = subprocess.run(
        [str(BIN / "trainset"), "--help"], capture_output=True, text=True, check=True
    ).stdout
    choices = re.search(r"\{([\w,-]+)\}", usage)
    assert choices, usage
    return {f"trainset {name}" for name in choices.group(1).split(",")}


def test_the_readme_lists_every_command():
    assert readme_commands() == make_targets() | subcommands()
