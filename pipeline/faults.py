"""Whose fault is it: the submitted file's, or ours?

An exception while a file is parsed (screen, identify, read) is the file's fault only when it
is one of the named failures of a malformed package: a broken zip, bad XML, a missing part.
A library that stumbles over a file that otherwise looks valid (a ``TypeError`` deep inside
openpyxl) is a limit of this program: the file is returned with a message that says so, not
that the file is damaged, and the traceback is logged. Everything else — a database or disk
error, a bug in our own code — is ours: the form stays in the inbox and the log says why.
"""

from __future__ import annotations

import sqlite3
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from docx.opc.exceptions import PackageNotFoundError
from lxml.etree import XMLSyntaxError
from openpyxl.utils.exceptions import InvalidFileException

from pipeline.errors import DamagedFile, FormRejected, PipelineError, UnreadableFile

MALFORMED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ParseError,
    XMLSyntaxError,
    InvalidFileException,
    PackageNotFoundError,
)
OURS = ("pipeline", "forms", "tests", "__main__")
DAMAGED = "文件内容无法解析（文件结构已损坏），可能在保存或复制时出错；请重新保存后再提交"
UNREADABLE = (
    "本程序暂时无法读取这个文件（这不是填写的错误）；请用Excel/Word/WPS打开后“另存为”"
    "新的.xlsx或.docx文件再提交，仍不行请联系工会办公室"
)


def innermost_module(exc: BaseException) -> str:
    """The module of the deepest Python frame the exception passed through."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return str(tb.tb_frame.f_globals.get("__name__", "")) if tb is not None else ""


def file_fault(exc: Exception) -> FormRejected | None:
    """The rejection a parsing stage's exception amounts to, or None when it is ours."""
    if isinstance(exc, PipelineError | sqlite3.Error | MemoryError | RecursionError):
        return None
    module = innermost_module(exc)
    library = bool(module) and module.split(".")[0] not in OURS
    if isinstance(exc, OSError):
        # A real I/O error carries an errno; a library complaining about bytes in memory
        # ("File contains no valid workbook part") does not.
        return DamagedFile(DAMAGED) if exc.errno is None and library else None
    if isinstance(exc, MALFORMED) or (isinstance(exc, KeyError) and module == "zipfile"):
        return DamagedFile(DAMAGED)
    return UnreadableFile(UNREADABLE) if library else None
