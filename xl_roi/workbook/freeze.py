"""Freeze a workbook: a values-only copy for readers without the Excel functions.

Every formula is removed and its stored result kept, at the level of the file's XML, so that
everything else — styles, names, validation, charts, print settings — stays exactly as it was.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from xl_roi.files import write_atomic
from xl_roi.workbook.build import FROZEN_WORDING, escape_xml
from xl_roi.workbook.read import WorkbookError, check_archive

__all__ = ["freeze_workbook"]

_FORMULA = re.compile(
    r"<(?:\w+:)?f(?:\s[^>]*)?/>|<(?:\w+:)?f(?:\s[^>]*)?>.*?</(?:\w+:)?f>", re.DOTALL
)
_STRING_RESULT = re.compile(
    r'<(?P<tag>(?:\w+:)?c)(?P<before>\s[^>]*?)\st="str"(?P<after>[^>]*)>\s*'
    r"<(?:\w+:)?v>(?P<text>.*?)</(?:\w+:)?v>\s*</(?:\w+:)?c>",
    re.DOTALL,
)
_CALC_CHAIN = "xl/calcChain.xml"
_SHARED_STRINGS = "xl/sharedStrings.xml"
_FROZEN_WORDING = {
    f">{escape_xml(live)}</": f">{escape_xml(frozen)}</" for live, frozen in FROZEN_WORDING.items()
}


def _values_only(xml: str) -> str:
    xml = _FORMULA.sub("", xml)
    return _STRING_RESULT.sub(
        lambda m: (
            f'<{m["tag"]}{m["before"]} t="inlineStr"{m["after"]}>'
            f'<is><t xml:space="preserve">{m["text"]}</t></is></{m["tag"]}>'
        ),
        xml,
    )


def _frozen_wording(xml: str) -> str:
    """A values-only copy never asks its reader to fill in cells that drive nothing."""
    for live, frozen in _FROZEN_WORDING.items():
        xml = xml.replace(live, frozen)
    return xml


def freeze_workbook(source: str | Path, target: str | Path, *, force: bool = False) -> Path:
    """Write a values-only copy of ``source`` to ``target`` (the source is never touched).

    Raises
    ------
    WorkbookError
        When the source cannot be read as a workbook.
    OverwriteRefusedError
        When the target exists and ``force`` is false.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> from xl_roi import example_case
    >>> from xl_roi.workbook.build import save_workbook
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = save_workbook(example_case(), folder / "case.xlsx")
    >>> frozen = freeze_workbook(folder / "case.xlsx", folder / "frozen.xlsx")
    >>> sheet = openpyxl.load_workbook(frozen)["Calculations"]
    >>> sheet["B33"].value
    10560.0
    """
    source = Path(source)
    if Path(target).resolve() == source.resolve():
        raise WorkbookError(f"{target}: the frozen copy must not replace its source")
    check_archive(source)
    try:
        with zipfile.ZipFile(source) as archive:
            parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise WorkbookError(f"{source}: corrupt workbook ({error})") from None

    def write(temporary: Path) -> None:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in parts:
                name = info.filename
                if name == _CALC_CHAIN:
                    continue
                if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                    sheet_xml = _frozen_wording(_values_only(data.decode("utf-8")))
                    data = sheet_xml.encode("utf-8")
                elif name == _SHARED_STRINGS:
                    data = _frozen_wording(data.decode("utf-8")).encode("utf-8")
                elif name == "[Content_Types].xml" or name == "xl/_rels/workbook.xml.rels":
                    text = data.decode("utf-8")
                    text = re.sub(
                        r"<(?:\w+:)?(?:Override|Relationship)\b[^>]*calcChain[^>]*/>", "", text
                    )
                    data = text.encode("utf-8")
                out.writestr(info, data)

    return write_atomic(target, write, force=force)
