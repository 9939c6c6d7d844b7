"""Hostile files made from real filled forms: what someone with write access to the inbox could
drop there. Each case is built by code from a form the blank forms produced, so every kind and
both readers get the same treatment, and a new kind gets it without a line changed here.
"""

from __future__ import annotations

import io
import os
import random
import struct
import sys
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile

from pipeline.screen import OLE_MAGIC

# A billion laughs kept small (the point is that it is refused, not that it explodes).
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "EXPANDED-MARKER">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
SECRET = b"SECRET-MARKER-FROM-OUTSIDE"
MACRO_OVERRIDE = (
    b'<Override PartName="/docProps/m.xml" '
    b'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
)


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def packed(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as package:
        for name, data in parts.items():
            package.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, method)
    return buffer.getvalue()


def xml_parts(data: bytes) -> list[str]:
    return [name for name in parts_of(data) if name.endswith((".xml", ".rels"))]


def _root_and_body(xml: bytes) -> tuple[bytes, bytes]:
    """The root element's name and everything from the root on (no declaration)."""
    start = xml.index(b"<", xml.index(b"?>") + 2) if xml.startswith(b"<?xml") else xml.index(b"<")
    body = xml[start:]
    name = body[1:].split(maxsplit=1)[0].split(b">")[0].split(b"/")[0]
    return name, body


def with_bomb(xml: bytes) -> bytes:
    """The part with a billion-laughs DTD in front and the entity used inside its root."""
    name, body = _root_and_body(xml)
    close = body.index(b">")
    return BILLION_LAUGHS.replace(b"lolz", name) + body[: close + 1] + b"&lol3;" + body[close + 1 :]


def with_external_entity(xml: bytes, secret: Path) -> bytes:
    """The part declaring an external entity that reads a file on this machine."""
    name, body = _root_and_body(xml)
    close = body.index(b">")
    dtd = b'<?xml version="1.0"?><!DOCTYPE %s [<!ENTITY xxe SYSTEM "%s">]>' % (
        name,
        secret.as_uri().encode(),
    )
    return dtd + body[: close + 1] + b"&xxe;" + body[close + 1 :]


@dataclass(frozen=True)
class Hostile:
    """One hostile file: its name in the inbox, its bytes, a phrase its report must say."""

    name: str
    data: bytes
    says: str


def lying_directory(form: bytes) -> bytes:
    """A part whose zip directory declares 100 bytes but whose data inflates to 20 MB."""
    data = bytearray(packed(parts_of(form) | {"docProps/big.xml": b"<a>" + b" " * 20_000_000}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = -1
        while (at := data.find(signature, at + 1)) != -1:
            name_length = struct.unpack_from("<H", data, at + (26 if offset == 22 else 28))[0]
            start = at + (30 if offset == 22 else 46)
            if data[start : start + name_length] == b"docProps/big.xml":
                struct.pack_into("<I", data, at + offset, 100)
    return bytes(data)


def encrypted_entries(form: bytes) -> bytes:
    """Every member flagged as zip-encrypted (a format no Office program writes)."""
    data = bytearray(form)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = -1
        while (at := data.find(signature, at + 1)) != -1:
            flags = struct.unpack_from("<H", data, at + offset)[0]
            struct.pack_into("<H", data, at + offset, flags | 0x1)
    return bytes(data)


def incompressible(size: int, seed: int = 13) -> bytes:
    return random.Random(seed).randbytes(size)


def package_cases(form: bytes, other: bytes, fmt: str, secret: Path) -> list[Hostile]:
    """Hostile variants of one filled ``form`` (``other``: a form of the other format)."""
    parts = parts_of(form)
    main = "xl/workbook.xml" if fmt == "xlsx" else "word/document.xml"
    other_main = next(
        name for name in parts_of(other) if name.startswith(("xl/worksheets/", "word/document"))
    )
    content_types = parts["[Content_Types].xml"]
    named: list[tuple[str, bytes, str]] = [
        ("空文件", b"", "文件是空的"),
        ("全是零", b"\0" * 4096, "文件是空的"),
        ("半截", form[: len(form) // 2], "不完整或已损坏"),
        ("不是Office", "这不是表格，只是改了扩展名的文本".encode(), "不是Office文档"),
        ("改名的图片", b"\x89PNG\r\n\x1a\n" + incompressible(200), "不是Office文档"),
        ("内含宏", packed(parts | {"xl/vbaProject.bin": b"\xd0\xcf"}), "含有宏"),
        (
            "宏的内容类型",
            packed(
                parts
                | {
                    "[Content_Types].xml": content_types.replace(b"</Types>", MACRO_OVERRIDE),
                    "docProps/m.xml": b"<workbook/>",
                }
            ),
            "启用宏",
        ),
        ("加密的部件", encrypted_entries(form), "加密"),
        ("压缩炸弹", packed(parts | {"docProps/zeros.bin": b"\0" * 1_500_000}), "压缩炸弹"),
        ("谎报大小", lying_directory(form), "损坏"),
        ("跳出目录", packed(parts | {"../../etc/cron.d/evil": b"x"}), "“../”或绝对路径"),
        ("绝对路径", packed(parts | {"/etc/evil.xml": b"<a/>"}), "“../”或绝对路径"),
        ("反斜杠路径", packed(parts | {"..\\..\\evil.xml": b"<a/>"}), "“../”或绝对路径"),
        ("盘符路径", packed(parts | {"C:/Windows/evil.xml": b"<a/>"}), "“../”或绝对路径"),
        ("同名部件", _duplicated(parts, main), "同名"),
        ("换了正文", packed(parts | {main: parts_of(other)[other_main]}), "声明的类型不符"),
        ("伪装的部件", packed(parts | {"docProps/thumb.dat": with_bomb(b"<a/>")}), "被禁止的XML"),
        (
            "UTF-16炸弹",
            packed(
                parts
                | {
                    "docProps/u16.xml": with_bomb(b"<a/>")
                    .replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"', 1)
                    .decode()
                    .encode("utf-16")
                }
            ),
            "被禁止的XML",
        ),
        (
            "外部DTD",
            packed(
                parts
                | {
                    main: b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">'
                    + _root_and_body(parts[main])[1]
                }
            ),
            "被禁止的XML",
        ),
        (
            "未知种类",
            packed(parts | {"docProps/custom.xml": _unknown_kind(parts["docProps/custom.xml"])}),
            "不是本程序认识的表单种类",
        ),
    ]
    cases = [Hostile(f"{label}.{fmt}", data, says) for label, data, says in named]
    for number, name in enumerate(xml_parts(form)):
        cases.append(
            Hostile(
                f"炸弹{number}.{fmt}", packed(parts | {name: with_bomb(parts[name])}), "被禁止的XML"
            )
        )
        cases.append(
            Hostile(
                f"外部实体{number}.{fmt}",
                packed(parts | {name: with_external_entity(parts[name], secret)}),
                "被禁止的XML",
            )
        )
    return cases


def _duplicated(parts: dict[str, bytes], name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for part, data in parts.items():
            package.writestr(part, data)
        package.writestr(zipfile.ZipInfo(name), parts[name])  # Python warns, and writes it
    return buffer.getvalue()


def _unknown_kind(custom: bytes) -> bytes:
    start = custom.index(b"<vt:lpwstr", custom.index(b'name="form_kind"'))
    value_start = custom.index(b">", start) + 1
    value_end = custom.index(b"</vt:lpwstr>", value_start)
    return custom[:value_start] + b"kind_from_elsewhere" + custom[value_end:]


def size_cases(form: bytes, fmt: str, max_file: int, max_parts: int) -> list[Hostile]:
    """Cases that only a tight configured limit makes hostile."""
    parts = parts_of(form)
    many = parts | {f"customXml/item{n}.bin": b"" for n in range(max_parts)}
    big = packed(parts | {"docProps/photo.bin": incompressible(max_file + 1)}, zipfile.ZIP_STORED)
    # One bit of information per byte: inflates about eightfold, far from a bomb's ratio.
    binary = bytes(48 + bit for bit in random.Random(7).choices((0, 1), k=3 * 1048576))
    inflating = packed(parts | {"docProps/photo.bin": binary})
    return [
        Hostile(f"部件太多.{fmt}", packed(many), "部件"),
        Hostile(f"超过大小.{fmt}", big, "超过表单上限"),
        Hostile(f"解压超限.{fmt}", inflating, "超过上限"),
    ]


def encrypted_with_bomb(form: bytes) -> bytes:
    """A password-protected workbook whose encryption header (XML inside the OLE container)
    carries a billion-laughs DTD, padded to the original length so the container stays whole."""
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(form)).encrypt("secret", out)
    data = out.getvalue()
    start = data.index(b"<?xml")
    end = data.index(b"</encryption>", start) + len(b"</encryption>")
    bomb = with_bomb(b"<encryption/>")
    assert len(bomb) <= end - start
    return data[:start] + bomb.ljust(end - start, b" ") + data[end:]


def legacy_cases(form_xlsx: bytes, form_docx: bytes, secret: Path) -> list[Hostile]:
    """Hostile files for the legacy path: OLE containers, and Office packages named .xls/.doc.
    The conversions a fake LibreOffice hands back are set by ``fake_converter``."""
    return [
        Hostile(
            "压缩炸弹.xls", packed(parts_of(form_xlsx) | {"z.bin": b"\0" * 1_500_000}), "压缩炸弹"
        ),
        Hostile(
            "实体炸弹.doc",
            packed(parts_of(form_docx) | {"docProps/x.xml": with_bomb(b"<a/>")}),
            "被禁止的XML",
        ),
        Hostile("加密头炸弹.xlsx", encrypted_with_bomb(form_xlsx), "被禁止的XML"),
        Hostile("旧格式改名.xlsx", OLE_MAGIC + incompressible(2048), "旧版Office格式"),
        Hostile("转换出炸弹.xls", OLE_MAGIC + b"bomb" + incompressible(2048), "被禁止的XML"),
        Hostile(
            "转换出跳出目录.doc", OLE_MAGIC + b"trav" + incompressible(2048), "“../”或绝对路径"
        ),
        Hostile("转换出外部实体.xls", OLE_MAGIC + b"xxe_" + incompressible(2048), "被禁止的XML"),
        Hostile("转换失败.xls", OLE_MAGIC + b"fail" + incompressible(2048), "未能把此"),
    ]


def fake_converter(folder: Path, outputs: dict[bytes, bytes]) -> Path:
    """A "soffice" that converts by looking up the four bytes after the OLE magic in
    ``outputs`` (no output when missing, as LibreOffice does with a file it cannot read)."""
    table = folder / "conversions"
    table.mkdir(parents=True, exist_ok=True)
    for key, data in outputs.items():
        (table / key.hex()).write_bytes(data)
    script = folder / "soffice"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import pathlib, sys
            args = sys.argv[1:]
            out = pathlib.Path(args[args.index("--outdir") + 1])
            source = pathlib.Path(args[-1])
            target = args[args.index("--convert-to") + 1].split(":")[0]
            key = source.read_bytes()[8:12].hex()
            found = pathlib.Path({str(table)!r}) / key
            if found.exists():
                out.mkdir(parents=True, exist_ok=True)
                (out / (source.stem + "." + target)).write_bytes(found.read_bytes())
            """
        ),
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def legacy_conversions(form_xlsx: bytes, form_docx: bytes, secret: Path) -> dict[bytes, bytes]:
    xlsx_parts, docx_parts = parts_of(form_xlsx), parts_of(form_docx)
    return {
        b"bomb": packed(xlsx_parts | {"xl/x.xml": with_bomb(b"<a/>")}),
        b"trav": packed(docx_parts | {"../../evil.xml": b"<a/>"}),
        b"xxe_": packed(
            xlsx_parts
            | {"xl/workbook.xml": with_external_entity(xlsx_parts["xl/workbook.xml"], secret)}
        ),
    }


def link_outside(inbox: Path, outside: Path, name: str) -> Path:
    """A hard link in the inbox to a file kept elsewhere on the same disk."""
    target = inbox / name
    os.link(outside, target)
    return target
