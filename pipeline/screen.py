"""Screening: decide what a file is before any Office library opens it.

Macro-enabled files are refused by name and by content without being opened; encrypted,
truncated, oversized and zip-bomb files, and XML that declares a DTD (the billion-laughs
family), are refused with a message saying so. A file "protected" only by Excel's default
password (it opens without asking) is decrypted and read. Legacy .xls/.doc files are
converted to .xlsx/.docx through LibreOffice; the original bytes stay untouched for the
archive, and a conversion LibreOffice got wrong is said to be that, not the clerk's file.
Excel 2–4 and Word 1–2 files are named as too old, not as "not an Office document".
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.parsers import expat

import msoffcrypto
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from pipeline.convert import Converter
from pipeline.errors import (
    ConversionUnavailable,
    DamagedFile,
    EmptyFile,
    HostileContent,
    MacroEnabled,
    NotAForm,
    PasswordProtected,
    TooLarge,
    TooOld,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MACRO_SUFFIXES = frozenset({".xlsm", ".xltm", ".xlsb", ".xlam", ".docm", ".dotm"})
FORM_SUFFIXES = frozenset({".xlsx", ".docx", ".xls", ".doc", ".xltx", ".dotx", ".wps", ".et"})
LEGACY_TARGET = {".xls": "xlsx", ".et": "xlsx", ".doc": "docx", ".wps": "docx"}
MAX_ZIP_ENTRIES = 5000
MAX_RATIO = 400
SAVE_AS = "请用Excel/Word/WPS打开后“另存为”.xlsx或.docx格式，再重新提交"
# Excel opens a workbook encrypted with this password without asking for one.
EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"
# First bytes of Excel 2.0–4.0 worksheets (BIFF2–4 BOF records) and of Word 1.x/2.0 documents.
ANCIENT = {
    b"\x09\x00\x04\x00": "Excel 2.0",
    b"\x09\x02\x06\x00": "Excel 3.0",
    b"\x09\x04\x06\x00": "Excel 4.0",
    b"\x9b\xa5": "Word 1.0",
    b"\xdb\xa5": "Word 2.0",
}


def check_suffix(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix in MACRO_SUFFIXES:
        raise MacroEnabled(
            f"这是启用宏的文件（{suffix}），为安全起见不会打开；"
            "请另存为不含宏的.xlsx或.docx格式后重新提交"
        )
    if suffix not in FORM_SUFFIXES:
        raise NotAForm(
            f"不是可处理的表单文件（扩展名为“{suffix or '无'}”）；"
            "支持的格式为 .xlsx、.docx，以及旧版 .xls、.doc"
        )


def screen(
    name: str, data: bytes, max_bytes: int, max_unpacked: int, converter: Converter
) -> tuple[str, bytes]:
    """Return ``(format, content)``: 'xlsx' or 'docx', and the bytes the readers should read."""
    check_suffix(name)
    if not data.strip(b"\x00"):
        raise EmptyFile("文件是空的（0字节或内容全为空），可能复制时出错；请重新保存后提交")
    if len(data) > max_bytes:
        raise TooLarge(
            f"文件大小为{len(data) / 1048576:.1f}MB，超过表单上限{max_bytes // 1048576}MB；"
            "请删除表单中多余的图片或工作表后重新提交"
        )
    suffix = Path(name).suffix.lower()
    if data.startswith(OLE_MAGIC):
        data = _decrypted(data)
    if data.startswith(OLE_MAGIC):
        target = LEGACY_TARGET.get(suffix)
        if target is None:
            raise NotAForm(f"文件内容是旧版Office格式，但扩展名为“{suffix}”；{SAVE_AS}")
        converted = converter.convert(data, suffix, target)
        return _converted_package(converted, suffix, max_unpacked), converted
    if not data.startswith(ZIP_MAGIC):
        for magic, program in ANCIENT.items():
            if data.startswith(magic):
                raise TooOld(f"这是{program}时代的旧格式文件，格式太旧，本程序无法读取；{SAVE_AS}")
        raise NotAForm(f"文件内容不是Office文档（虽然扩展名为“{suffix}”）；{SAVE_AS}")
    return check_package(data, max_unpacked), data


def _decrypted(data: bytes) -> bytes:
    """The file itself, or its decryption when only Excel's default password protects it."""
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office.is_encrypted()
    except Exception:
        return data  # not a format msoffcrypto knows: nothing to decrypt
    if not encrypted:
        return data
    try:
        office.load_key(password=EXCEL_DEFAULT_PASSWORD)
        plain = io.BytesIO()
        office.decrypt(plain)
    except Exception:
        raise PasswordProtected(
            "文件设置了打开密码，无法读取；请取消密码后另存，再重新提交"
        ) from None
    return plain.getvalue()


def _converted_package(data: bytes, suffix: str, max_unpacked: int) -> str:
    """Check LibreOffice's conversion; a fault in it is the conversion's, not the file's."""
    try:
        return check_package(data, max_unpacked)
    except (DamagedFile, NotAForm) as exc:
        raise ConversionUnavailable(
            f"此{suffix}文件经LibreOffice转换后的副本无法读取（转换出错，不一定是原文件的问题）；"
            f"{SAVE_AS}"
        ) from exc


def check_package(data: bytes, max_unpacked: int) -> str:
    """Check an OOXML zip package and return 'xlsx' or 'docx'."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise DamagedFile(
            "文件不完整或已损坏（可能在复制过程中被中断），无法打开；请重新保存后再提交"
        ) from None
    names = {entry.filename for entry in entries}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise MacroEnabled(
            "文件中含有宏（VBA代码），为安全起见不会打开；请另存为不含宏的格式后重新提交"
        )
    _check_sizes(entries, max_unpacked)
    if "[Content_Types].xml" not in names:
        raise NotAForm(f"文件不是Office文档（缺少内容类型说明）；{SAVE_AS}")
    _check_xml(archive, entries)
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    raise NotAForm(f"文件是Office文档，但既不是Excel工作簿也不是Word文档；{SAVE_AS}")


def _check_sizes(entries: list[zipfile.ZipInfo], max_unpacked: int) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise TooLarge(f"文件包含{len(entries)}个部件，远多于一张表单应有的数量，已拒绝")
    total = sum(entry.file_size for entry in entries)
    bomb = any(
        entry.file_size > 1048576 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1)
        for entry in entries
    )
    if total > max_unpacked or bomb:
        raise TooLarge("文件解压后体积异常巨大（疑似“压缩炸弹”），为保护系统已拒绝打开")


def _forbid_dtd(name: str, sysid: str | None, pubid: str | None, internal: bool) -> None:
    raise DTDForbidden(name, sysid, pubid)


def _forbid_entity(name: str, *details: object) -> None:
    raise EntitiesForbidden(name, None, None, None, None, None)


def _forbid_external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> int:
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def parse_defused(data: bytes) -> None:
    """Parse XML as ``defusedxml`` does with ``forbid_dtd`` (no DTD, no entity declaration,
    no external reference: each raises its ``DefusedXmlException``; malformed XML raises
    ``ExpatError``), without building the tree: screening only asks whether it parses, and
    building every element of every part in Python was most of the time it took."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_entity
    parser.UnparsedEntityDeclHandler = _forbid_entity
    parser.ExternalEntityRefHandler = _forbid_external
    parser.Parse(data, True)


def _check_xml(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    for entry in entries:
        if not entry.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            parse_defused(archive.read(entry))
        except DefusedXmlException:
            raise HostileContent(
                "文件中含有被禁止的XML声明（DTD或实体，常见于恶意构造的文件），已拒绝打开"
            ) from None
        except (zipfile.BadZipFile, EOFError, OSError):
            raise DamagedFile(
                "文件部分内容已损坏（校验失败），无法打开；请重新保存后再提交"
            ) from None
        except Exception:
            raise DamagedFile(
                f"文件中的部件“{entry.filename}”已损坏，无法读取；请重新保存后再提交"
            ) from None
