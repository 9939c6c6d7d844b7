"""Errors of the pipeline, named after the condition, each with a stable code.

``FormRejected`` and its subclasses are about one submitted file: the file goes to
``outbox/rejected/`` with a report carrying ``message``. Every other ``PipelineError`` is about
the environment (configuration, templates, the store): processing stops, the file stays where it
is, and the CLI exits with status 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.job import Problem


class PipelineError(Exception):
    """Base of every error the pipeline reports to a person."""

    code = "pipeline_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        # Whole, whatever the subclass's ``__init__`` takes: a rejection found in a worker
        # process (``pipeline.pool``) reaches the main process with its problems.
        return (_restored, (type(self), self.args, self.__dict__))


def _restored(cls: type[PipelineError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigError(PipelineError):
    """unionforms.toml is missing a value, has a wrong one, or cannot be read."""

    code = "config"


class TemplateProblem(PipelineError):
    """A Word template is missing or does not render."""

    code = "template"


class StoreUnavailable(PipelineError):
    """The SQLite state cannot be opened or written."""

    code = "store"


class NoStore(PipelineError):
    """The folder has no state database: it is not a working folder."""

    code = "no_store"


class StoreLocked(StoreUnavailable):
    """Another program holds the state database's write lock; the batch stops at once."""

    code = "store_locked"


class UnsafeEnvironment(PipelineError):
    """A library would parse forms without its defences (openpyxl without defusedxml)."""

    code = "unsafe_environment"


class ConverterStuck(PipelineError):
    """LibreOffice did not finish a conversion in time: a fault of the machine, not the form's
    (the form waits in the inbox and is tried again)."""

    code = "converter_stuck"


class InputRefused(PipelineError):
    """A path given to process lies in the outbox, the state folder or the templates."""

    code = "input_refused"


class Busy(PipelineError):
    """Another unionforms process is working on the same state folder."""

    code = "busy"


class FormRejected(PipelineError):
    """A submitted file cannot be accepted; it is returned with a report."""

    code = "rejected"


class EmptyFile(FormRejected):
    """The file has no content."""

    code = "empty"


class NotAForm(FormRejected):
    """The file is not an Office document unionforms can read."""

    code = "not_office"


class DamagedFile(FormRejected):
    """The file looks like an Office document but is truncated or corrupt."""

    code = "damaged"


class TooOld(FormRejected):
    """An Excel 2–4 or Word 1–2 file: a format from before any library or converter we use."""

    code = "too_old"


class UnreadableFile(FormRejected):
    """A library could not read a file that looks valid: a limit of this program, said so."""

    code = "unreadable"


class MacroEnabled(FormRejected):
    """The file carries macros (.xlsm, .docm or a VBA part); it is never opened."""

    code = "macro"


class PasswordProtected(FormRejected):
    """The file is encrypted with a password."""

    code = "password"


class TooLarge(FormRejected):
    """The file, or what it unpacks to, is bigger than a form can be."""

    code = "too_large"


class HostileContent(FormRejected):
    """The file's XML declares entities or a DTD, as XML bombs do."""

    code = "hostile_xml"


class UnknownKind(FormRejected):
    """No registered form kind matches the file."""

    code = "unknown_kind"


class PdfFailed(PipelineError):
    """A document could not be printed to PDF; the document itself is fine."""

    code = "pdf"


class ConversionUnavailable(FormRejected):
    """A legacy .xls/.doc file needs LibreOffice, which is missing or failed."""

    code = "conversion"


class InvalidForm(FormRejected):
    """The form was read but some values break its rules."""

    code = "invalid"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"表单有{len(problems)}处需要修改")
        self.problems = problems


class Duplicate(FormRejected):
    """The same bytes were accepted before; they are not registered again."""

    code = "duplicate"

    def __init__(self, first_serial: str, first_name: str, first_received: str) -> None:
        super().__init__(
            f"重复提交：本文件与{first_received}收到的“{first_name}”内容完全相同，"
            f"已登记为{first_serial}，本次不再重复登记。"
        )
        self.first_serial = first_serial
