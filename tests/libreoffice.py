"""LibreOffice as an independent spreadsheet engine: it recalculates a workbook, not us.

LibreOffice's default for xlsx is never to recalculate on load: it shows the results stored in
the file, so a conversion with default settings proves nothing about the formulas. A throwaway
profile whose ``registrymodifications.xcu`` sets Calc's load-time recalculation to "always" makes
it compute every formula itself; reading its output with openpyxl ``data_only=True`` then gives
LibreOffice's numbers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def need_soffice(*also: str) -> pytest.MarkDecorator:
    """Skip without LibreOffice (and the programs in ``also``), except in CI (``CI=true``),
    where they are installed: there a missing one fails the test instead of hiding it."""
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    missing = not SOFFICE or any(shutil.which(program) is None for program in also)
    needed = ", ".join(("LibreOffice (soffice)", *also))
    return pytest.mark.skipif(missing and not in_ci, reason=f"needs {needed}")


#: Calc › Formula › Recalculation on file load: 0 = always (for xlsx and for ODF).
RECALC_ALWAYS_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
  oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode"
  oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def make_profile(folder: Path, *, recalc_always: bool = True) -> Path:
    """A LibreOffice user profile in ``folder``; with ``recalc_always``, one that recalculates."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    if recalc_always:
        (user / "registrymodifications.xcu").write_text(RECALC_ALWAYS_XCU, encoding="utf-8")
    return folder


def convert(source: Path, out_dir: Path, profile: Path, fmt: str = "xlsx") -> Path:
    """Open ``source`` in headless LibreOffice with ``profile`` and save it as ``fmt``."""
    return convert_all([source], out_dir, profile, fmt)[0]


def convert_all(sources: list[Path], out_dir: Path, profile: Path, fmt: str = "xlsx") -> list[Path]:
    """Convert several files in one LibreOffice start (each start costs seconds); names must
    differ by stem."""
    assert SOFFICE, "LibreOffice (soffice) is not installed"
    out_dir.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(out_dir),
            *(str(source) for source in sources),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    targets = [out_dir / f"{source.stem}.{fmt}" for source in sources]
    missing = [target.name for target in targets if not target.exists()]
    if completed.returncode != 0 or missing:
        raise RuntimeError(
            f"LibreOffice did not convert {missing}: {completed.stdout}{completed.stderr}"
        )
    return targets
