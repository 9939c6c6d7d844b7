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
from pathlib import Path

import msoffcrypto
from defusedxml import DefusedXmlException

from pipeline import hardening
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
from pipeline.package import HOSTILE_XML, SAVE_AS, PackageLimits, check_package

hardening.install()

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MACRO_SUFFIXES = frozenset({".xlsm", ".xltm", ".xlsb", ".xlam", ".docm", ".dotm"})
FORM_SUFFIXES = frozenset({".xlsx", ".docx", ".xls", ".doc", ".xltx", ".dotx", ".wps", ".et"})
LEGACY_TARGET = {".xls": "xlsx", ".et": "xlsx", ".doc": "docx", ".wps": "docx"}
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
    name: str, data: bytes, max_bytes: int, limits: PackageLimits, converter: Converter
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
        return _converted_package(converted, suffix, limits), converted
    if not data.startswith(ZIP_MAGIC):
        for magic, program in ANCIENT.items():
            if data.startswith(magic):
                raise TooOld(f"这是{program}时代的旧格式文件，格式太旧，本程序无法读取；{SAVE_AS}")
        raise NotAForm(f"文件内容不是Office文档（虽然扩展名为“{suffix}”）；{SAVE_AS}")
    return check_package(data, limits), data


def _decrypted(data: bytes) -> bytes:
    """The file itself, or its decryption when only Excel's default password protects it."""
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office.is_encrypted()
    except DefusedXmlException:
        raise HostileContent(HOSTILE_XML) from None
    except Exception:
        return data  # not a format msoffcrypto knows: nothing to decrypt
    if not encrypted:
        return data
    try:
        office.load_key(password=EXCEL_DEFAULT_PASSWORD)
        plain = io.BytesIO()
        office.decrypt(plain)
    except DefusedXmlException:  # the encryption header's XML (hardening gives it defusedxml)
        raise HostileContent(HOSTILE_XML) from None
    except Exception:
        raise PasswordProtected(
            "文件设置了打开密码，无法读取；请取消密码后另存，再重新提交"
        ) from None
    return plain.getvalue()


def _converted_package(data: bytes, suffix: str, limits: PackageLimits) -> str:
    """Check LibreOffice's conversion; a fault in it is the conversion's, not the file's."""
    try:
        return check_package(data, limits)
    except (DamagedFile, NotAForm) as exc:
        raise ConversionUnavailable(
            f"此{suffix}文件经LibreOffice转换后的副本无法读取（转换出错，不一定是原文件的问题）；"
            f"{SAVE_AS}"
        ) from exc
