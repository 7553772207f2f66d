from typing import Any

from lxml import etree

BUILT_WITH_LXML: str

def citation_parts(root: etree._Element, seen: list[str | None]) -> tuple[Any, ...] | None: ...
