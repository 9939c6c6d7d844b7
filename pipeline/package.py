"""The OOXML package (a zip) checked before any Office library opens it.

Everything here reads the zip's directory and streams each XML part through defusedxml's
parser without building a tree, so a hostile file is refused after a small, bounded amount of
work: too many parts, parts that inflate past the configured limit (as the directory declares
them; a part that inflates further than declared fails its CRC and is refused as damaged),
member names that climb out of the package (``../``, absolute or drive paths) or appear twice,
macros, and XML that declares a DTD or entities (billion laughs, external entities) in any part
a reader could parse — whatever the part is named, since a reader follows the package's own
relationships. A part whose root element is not what its declared content type says (a Word
document part that holds a worksheet) is refused as a damaged package instead of reaching a
reader that would trip over it.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, fromstring

from pipeline.errors import DamagedFile, HostileContent, MacroEnabled, NotAForm, TooLarge

SAVE_AS = "请用Excel/Word/WPS打开后“另存为”.xlsx或.docx格式，再重新提交"
DAMAGED = "文件不完整或已损坏（可能在复制过程中被中断），无法打开；请重新保存后再提交"
HOSTILE_XML = "文件中含有被禁止的XML声明（DTD或实体，常见于恶意构造的文件），已拒绝打开"
MAX_RATIO = 400  # a part inflating more than this, past 1 MB, is a zip bomb's
XML_NAMES = (".xml", ".rels", ".vml")
CHUNK = 65536
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
OOXML = "application/vnd.openxmlformats-officedocument."
MAIN_TYPES = {
    OOXML + "spreadsheetml.sheet.main+xml": "xlsx",
    OOXML + "spreadsheetml.template.main+xml": "xlsx",
    OOXML + "wordprocessingml.document.main+xml": "docx",
    OOXML + "wordprocessingml.template.main+xml": "docx",
}
# The root element each part type must have (local name: strict OOXML changes the namespace).
EXPECTED_ROOTS = {
    **{content_type: "workbook" for content_type, fmt in MAIN_TYPES.items() if fmt == "xlsx"},
    **{content_type: "document" for content_type, fmt in MAIN_TYPES.items() if fmt == "docx"},
    OOXML + "spreadsheetml.worksheet+xml": "worksheet",
    OOXML + "spreadsheetml.sharedStrings+xml": "sst",
    OOXML + "spreadsheetml.styles+xml": "styleSheet",
    OOXML + "wordprocessingml.styles+xml": "styles",
    OOXML + "custom-properties+xml": "Properties",
    "application/vnd.openxmlformats-package.relationships+xml": "Relationships",
}
DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class PackageLimits:
    """How big a form's package may be: its parts, and what they inflate to (bytes)."""

    max_parts: int
    max_unpacked: int

    @classmethod
    def configured(cls, limits: Any) -> PackageLimits:
        """The limits ``[limits]`` of unionforms.toml sets (``config.limits``)."""
        return cls(limits.max_parts, limits.max_unpacked_mb * 1048576)


class _Root:
    """Keeps the root element's local name. Only the first element is reported: after it the
    handler is removed, so expat runs through the rest of the part without calling Python."""

    def __init__(self, parser: DefusedXMLParser) -> None:
        self.name: str | None = None
        self.expat = parser.parser  # the underlying pyexpat parser defusedxml configured
        self.expat.StartElementHandler = self.start
        # ElementTree's catch-all handler would be called for every run of text; the DTD and
        # entity handlers defusedxml installed stay.
        self.expat.DefaultHandlerExpand = None

    def start(self, tag: str, attrs: Any) -> None:
        self.name = tag.rsplit("}", 1)[-1]
        self.expat.StartElementHandler = None


class _Nothing:
    """A parser target that builds nothing (ElementTree installs no per-element handlers)."""

    def close(self) -> None:
        pass


def check_package(data: bytes, limits: PackageLimits) -> str:
    """Check an OOXML zip package and return 'xlsx' or 'docx'."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
        raise DamagedFile(DAMAGED) from None
    _check_names(entries)
    names = {entry.filename for entry in entries}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise MacroEnabled(
            "文件中含有宏（VBA代码），为安全起见不会打开；请另存为不含宏的格式后重新提交"
        )
    _check_sizes(entries, limits)
    if "[Content_Types].xml" not in names:
        raise NotAForm(f"文件不是Office文档（缺少内容类型说明）；{SAVE_AS}")
    roots = {entry.filename: root for entry in entries if (root := _xml_root(archive, entry))}
    types = _content_types(archive.read("[Content_Types].xml"), names)
    _check_roots(types, roots)
    return _format(types, names)


def _check_names(entries: list[zipfile.ZipInfo]) -> None:
    seen: set[str] = set()
    for entry in entries:
        name = entry.filename
        parts = PurePosixPath(name).parts
        if name.startswith(("/", "\\")) or DRIVE.match(name) or "\\" in name or ".." in parts:
            raise HostileContent(
                "文件中的部件名称指向文件以外的位置（含有“../”或绝对路径），"
                "这是恶意构造文件的特征，已拒绝打开"
            )
        if name.lower() in seen:
            raise HostileContent(
                f"文件中有两个同名的部件“{name[:80]}”，这是恶意构造文件的特征，已拒绝打开"
            )
        seen.add(name.lower())
        if entry.flag_bits & 0x1:
            raise DamagedFile(f"文件中的部件经过加密，无法读取；{SAVE_AS}")


def _check_sizes(entries: list[zipfile.ZipInfo], limits: PackageLimits) -> None:
    if len(entries) > limits.max_parts:
        raise TooLarge(
            f"文件包含{len(entries)}个部件，超过上限{limits.max_parts}个，"
            "远多于一张表单应有的数量，已拒绝"
        )
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_unpacked:
        raise TooLarge(
            f"文件解压后共{total / 1048576:.1f}MB，超过上限{limits.max_unpacked / 1048576:.0f}MB"
            "（疑似“压缩炸弹”），为保护系统已拒绝打开；请删除表单中多余的图片或工作表后重新提交"
        )
    for entry in entries:
        if entry.file_size > 1048576 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise TooLarge(
                "文件中有部件解压后比压缩时大数百倍以上（疑似“压缩炸弹”），为保护系统已拒绝打开"
            )


def _looks_like_xml(head: bytes) -> bool:
    """XML whatever the part is called: a reader follows relationships, not file names."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        head = head.removeprefix(bom)
    head = head.lstrip(b" \t\r\n\x00")
    return head.startswith(b"<")


def _xml_root(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> str | None:
    """Stream one part through defusedxml; the root's local name, or None if not XML."""
    try:
        with archive.open(entry) as stream:
            head = stream.read(CHUNK)
            if not (entry.filename.lower().endswith(XML_NAMES) or _looks_like_xml(head)):
                return None
            parser = DefusedXMLParser(target=_Nothing(), forbid_dtd=True)
            root = _Root(parser)
            while head:
                parser.feed(head)
                head = stream.read(CHUNK)
            parser.close()
    except DefusedXmlException:
        raise HostileContent(HOSTILE_XML) from None
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError):
        raise DamagedFile("文件部分内容已损坏（校验失败），无法打开；请重新保存后再提交") from None
    except Exception:
        raise DamagedFile(
            f"文件中的部件“{entry.filename[:80]}”已损坏，无法读取；请重新保存后再提交"
        ) from None
    return root.name


def _content_types(xml: bytes, names: set[str]) -> dict[str, str]:
    """The declared content type of every part ([Content_Types].xml: overrides, defaults)."""
    root = fromstring(xml, forbid_dtd=True)
    defaults = {
        (item.get("Extension") or "").lower(): item.get("ContentType") or ""
        for item in root.iter(f"{CT_NS}Default")
    }
    overrides = {
        (item.get("PartName") or "").lstrip("/"): item.get("ContentType") or ""
        for item in root.iter(f"{CT_NS}Override")
    }
    found = {}
    for name in names:
        declared = overrides.get(name) or defaults.get(PurePosixPath(name).suffix[1:].lower())
        if declared:
            found[name] = declared
    return found


def _check_roots(types: dict[str, str], roots: dict[str, str]) -> None:
    for name, declared in types.items():
        if "macroenabled" in declared.lower():
            raise MacroEnabled(
                "文件是启用宏的工作簿或文档（只是扩展名被改了），为安全起见不会打开；"
                "请另存为不含宏的.xlsx或.docx格式后重新提交"
            )
        expected = EXPECTED_ROOTS.get(declared)
        if expected is not None and roots.get(name) != expected:
            raise DamagedFile(
                f"文件结构有误：部件“{name[:80]}”的内容与它声明的类型不符"
                "（可能是用别的文件拼接或改名而成），无法读取；请用空白表单重新填写后提交"
            )


def _format(types: dict[str, str], names: set[str]) -> str:
    formats = {MAIN_TYPES[declared] for declared in types.values() if declared in MAIN_TYPES}
    if not formats:  # a package without content types for its parts: go by the usual names
        formats = {
            fmt
            for fmt, part in (("xlsx", "xl/workbook.xml"), ("docx", "word/document.xml"))
            if part in names
        }
    if len(formats) == 1:
        return formats.pop()
    if formats:
        raise NotAForm(f"文件同时含有Excel工作簿和Word文档的内容，无法判断是哪一种；{SAVE_AS}")
    raise NotAForm(f"文件是Office文档，但既不是Excel工作簿也不是Word文档；{SAVE_AS}")
