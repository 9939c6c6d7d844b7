"""unionforms.toml: names, rules, folders and fonts, with the standard's names as defaults.

The settings are pydantic models, validated like forms are: a wrong type, a value out of range
or an unknown key is reported in Chinese with the file, the line and the key. Each setting's
``description`` is the comment ``unionforms init`` writes above it, so the commented file and
the checks come from one definition. Relative folders are resolved against the directory of
the configuration file (or the current directory when there is none).

The configuration is found as ``--config``, then ``UNIONFORMS_CONFIG``, then
``./unionforms.toml``, then the built-in defaults with folders under the current directory.
"""

from __future__ import annotations

import os
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model
from pydantic_core import PydanticCustomError

from pipeline.errors import ConfigError

CONFIG_NAME = "unionforms.toml"
CONFIG_ENV = "UNIONFORMS_CONFIG"


class Section(BaseModel):
    """One ``[section]`` of unionforms.toml: unknown keys are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


Name = Annotated[str, Field(min_length=1, max_length=100)]


def _folder(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("folder_empty", "empty folder")
    return value


Folder = Annotated[Path, BeforeValidator(_folder)]


class Organisation(Section):
    """单位和工会的名称，印在文书和台账上。"""

    name: Name = Field("阿拉尔盛源热电有限责任公司", description="单位全称")
    short_name: Name = Field("盛源热电", description="单位简称")
    union: Name = Field(
        "阿拉尔盛源热电有限责任公司工会", description="本单位工会的名称（文书落款）"
    )
    parent_union: Name = Field("一师电力公司工会", description="上级工会（困难职工档案报送单位）")
    safety_authority: Name = Field(
        "应急管理部门",
        description="工伤事故调查报告书的上报机关（原安全生产监督管理部门），"
        "可写具体名称，如 阿拉尔市应急管理局",
    )
    document_prefix: Name = Field(
        "盛源热电工会",
        description="发文字号的机关代字，如 盛源热电工会〔2026〕1号（全会每年一个顺序号）",
    )
    headcount: Annotated[int, Field(ge=0, le=1_000_000)] = Field(
        0, description="本单位职工人数，用于计算千人死亡率、千人重伤率（0：不计算）"
    )


class Rules(Section):
    """校验规则。"""

    subsidy_cap: Annotated[Decimal, Field(gt=0, le=10_000_000)] = Field(
        Decimal("20000"), description="单次困难补助上限（元）"
    )
    departments: tuple[Name, ...] = Field(
        (),
        description="本单位部门名单；填写后，表单中的“所在部门”必须是其中之一，"
        '空白表单也会提供下拉列表，例如 ["运行部", "检修部"]',
    )
    visit_interval_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        90, description="育龄人员重点回访间隔（天）"
    )
    minimum_living_standard: Annotated[Decimal, Field(gt=0, le=100_000)] = Field(
        Decimal("750"),
        description="当地城市居民最低生活保障标准（元/人·月），困难职工档案复核时与家庭人均月收入比较；"
        "请按当地民政部门公布的现行标准修改",
    )
    min_seconders: Annotated[int, Field(ge=0, le=50)] = Field(
        2, description="职代会提案的附议人最少人数"
    )
    mask_id_numbers: bool = Field(
        False, description="台账中是否遮盖身份证号码中间8位（如 659002********0011）"
    )


class Folders(Section):
    """文件夹。相对路径以本文件所在的文件夹为准。"""

    inbox: Folder = Field(
        Path("inbox"), description="收件箱：各部门放入填好的表单（通常是共享文件夹）"
    )
    outbox: Folder = Field(
        Path("outbox"),
        description="输出：documents 文书、registers 台账、archive 归档、rejected 退回",
    )
    state: Folder = Field(
        Path("state"), description="状态数据库和日志所在的本机文件夹（不要放在网络共享上）"
    )
    templates: Folder | None = Field(
        None,
        description="本单位修改过的文书模板所在的文件夹；其中有的模板代替同名的内置模板，"
        "没有的仍用内置模板",
    )

    def resolved(self, base: Path) -> Folders:
        """The same folders, relative ones taken from ``base``."""
        values = {
            name: (base / path.expanduser()).resolve() if path is not None else None
            for name, path in self.model_dump().items()
        }
        return self.model_copy(update=values)


class Fonts(Section):
    """文书字体（GB/T 9704）；本机没有的字体，Word/WPS 会用相近的字体代替。"""

    title: Name = Field("方正小标宋简体", description="标题")
    body: Name = Field("仿宋_GB2312", description="正文")
    heading: Name = Field("黑体", description="一级标题（一、）")
    subheading: Name = Field("楷体_GB2312", description="二级标题（（一））")
    table: Name = Field("宋体", description="表格")
    latin: Name = Field("Times New Roman", description="数字和西文")


class Documents(Section):
    """生成的文书。"""

    pdf: bool = Field(
        False,
        description="每份文书另存一份PDF供打印（需要安装LibreOffice；转换失败时Word文书照常生成，"
        "并给出提示）；也可在 process、watch 后加 --pdf",
    )


class Limits(Section):
    """安全限制和外部程序。"""

    max_file_mb: Annotated[int, Field(ge=1, le=1024)] = Field(
        20, description="表单文件大小上限（MB）"
    )
    max_unpacked_mb: Annotated[int, Field(ge=1, le=4096)] = Field(
        200, description="表单解压后的大小上限（MB），防止“压缩炸弹”"
    )
    max_parts: Annotated[int, Field(ge=50, le=100_000)] = Field(
        5000, description="表单文件（zip包）中部件数量的上限，超过的按恶意构造的文件拒绝"
    )
    soffice: Name = Field(
        "soffice", description="LibreOffice 程序（转换旧版 .xls/.doc、生成PDF时使用）"
    )
    convert_timeout_seconds: Annotated[int, Field(ge=5, le=3600)] = Field(
        120, description="LibreOffice 单次转换的时间上限（秒）"
    )
    database_wait_seconds: Annotated[float, Field(ge=0.1, le=600)] = Field(
        30.0,
        description="状态数据库被其他程序锁住时最多等待这么久（秒），仍锁着就停止本次处理，"
        "表单留在收件箱",
    )


class Permissions(Section):
    """谁能读取文书、台账和退回的表单（其中有个人信息；只在Linux等系统上生效）。"""

    share_group: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")] = Field(
        "",
        description="默认只有运行本程序的账号能读取文书、台账和退回的表单；共享文件夹用别的账号"
        "访问时，在这里填一个用户组（例如 unionshare），这些文件就归该组所有、组内可读。"
        "状态文件夹和归档始终只有本账号能读取",
    )


class Performance(Section):
    """处理速度。"""

    workers: Annotated[int, Field(ge=0, le=64)] = Field(
        0,
        description="同时生成文书（和PDF）、写归档的进程数；0 表示与本机CPU核数相同，"
        "1 表示不另开进程（读取、校验和编号始终按顺序在主进程中进行）",
    )


class Privacy(Section):
    """个人信息保护（《个人信息保护法》）：发往办公室以外的报表、退回表单的保存期限。"""

    mask_outgoing: bool = Field(
        True,
        description="报送上级工会等发往办公室以外的报表中，遮盖身份证号码中间8位和电话号码"
        "中间4位（台账本身是否遮盖见 [rules] mask_id_numbers）",
    )
    returned_years: Annotated[int, Field(ge=0, le=100)] = Field(
        1,
        description="退回的表单（原件、标注副本、错误说明）保存的年数，期满后可用 "
        "unionforms purge 删除；0 表示随时可删",
    )


def _retention_note(kind: Any) -> str:
    parts = [f"{kind.title}：从{kind.retention_from}起保存的年数"]
    if kind.min_retention_years > 1:
        parts.append(f"不少于{kind.min_retention_years}年")
    if kind.retention_open:
        parts.append(kind.retention_open)
    return "，".join(parts)


def _retention_section() -> type[Section]:
    """[retention]: one setting per kind of form, made from the registry."""
    from forms import KINDS  # (forms never imports pipeline)

    fields: dict[str, Any] = {
        kind.key: (
            Annotated[int, Field(ge=kind.min_retention_years, le=200)],
            Field(kind.retention_years, description=_retention_note(kind)),
        )
        for kind in KINDS
        if kind.parent is None
    }
    section = create_model("Retention", __base__=Section, **fields)
    section.__doc__ = (
        "保存期限（年）。期满的记录连同其文书和归档可用 unionforms purge 删除，未期满的和尚未了结的"
        "不能删；回执等附属表单随所属记录一起保存和删除"
    )
    return section


Retention = _retention_section()


class Watch(Section):
    """unionforms watch 的设置（秒）。"""

    stability_seconds: Annotated[float, Field(ge=0, le=3600)] = Field(
        2.0,
        description="文件大小和修改时间保持不变这么久，并且能作为完整的Office文件打开，才开始处理",
    )
    incomplete_seconds: Annotated[float, Field(ge=0, le=86400)] = Field(
        600.0,
        description="文件大小不变却一直不完整（例如复制中断）这么久之后，才按“文件不完整或已损坏”退回",
    )
    rescan_seconds: Annotated[float, Field(ge=1, le=86400)] = Field(
        300.0, description="每隔这么久把收件箱全部重新扫描一遍，以防漏掉文件系统的变化通知"
    )
    polling_interval_seconds: Annotated[float, Field(ge=0.1, le=3600)] = Field(
        5.0,
        description="使用 --polling（网络共享文件夹收不到变化通知时）时的轮询间隔，"
        "可用 --interval 覆盖",
    )
    register_debounce_seconds: Annotated[float, Field(ge=0, le=3600)] = Field(
        5.0, description="台账最多每隔这么久重新导出一次，一次放入大量表单时不必逐份重写台账"
    )


class Config(BaseModel):
    """The whole configuration; ``source`` is the file it came from (None: the defaults)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    organisation: Organisation = Organisation()
    rules: Rules = Rules()
    folders: Folders = Folders()
    fonts: Fonts = Fonts()
    documents: Documents = Documents()
    limits: Limits = Limits()
    permissions: Permissions = Permissions()
    performance: Performance = Performance()
    privacy: Privacy = Privacy()
    retention: Retention = Retention()  # type: ignore[valid-type]
    watch: Watch = Watch()
    source: Path | None = Field(None, exclude=True)

    def settings(self) -> dict[str, Any]:
        """The values form rules may consult (``FormContext.settings``)."""
        return {
            "headcount": self.organisation.headcount,
            "subsidy_cap": self.rules.subsidy_cap,
            "departments": self.rules.departments,
            "visit_interval_days": self.rules.visit_interval_days,
            "minimum_living_standard": self.rules.minimum_living_standard,
            "min_seconders": self.rules.min_seconders,
        }

    def with_folders(self, **folders: Path | None) -> Config:
        """A copy with some folders replaced (command-line options win over the file)."""
        given = {name: Path(path).resolve() for name, path in folders.items() if path is not None}
        if not given:
            return self
        return self.model_copy(update={"folders": self.folders.model_copy(update=given)})

    def describe(self) -> str:
        """One line saying which configuration and folders are in use."""
        origin = str(self.source) if self.source else "内置默认值（未找到 unionforms.toml）"
        folders = self.folders
        return (
            f"配置：{origin}；收件箱 {folders.inbox}；输出 {folders.outbox}；状态 {folders.state}"
        )


SECTIONS: dict[str, type[Section]] = {
    name: info.annotation  # type: ignore[misc]
    for name, info in Config.model_fields.items()
    if name != "source"
}


# -- finding and reading the file ---------------------------------------------------------


def find_config(given: Path | None) -> Path | None:
    """``--config``, then ``UNIONFORMS_CONFIG``, then ``./unionforms.toml``, else None."""
    if given is not None:
        return given
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    candidate = Path.cwd() / CONFIG_NAME
    return candidate if candidate.is_file() else None


def load_config(path: Path | None = None) -> Config:
    """Read the configuration found from ``path`` (see ``find_config``), or the defaults."""
    path = find_config(path)
    if path is None:
        return Config(folders=Folders().resolved(Path.cwd()))
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"找不到配置文件 {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"配置文件 {path} 是一个文件夹，应为 .toml 文件") from None
    except UnicodeDecodeError:
        raise ConfigError(f"配置文件 {path} 不是UTF-8编码的文本；请用记事本“另存为”UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"配置文件 {path} 无法读取：{exc.strerror or exc}") from None
    return parse_config(text, Path(path))


def parse_config(text: str, path: Path) -> Config:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(syntax_message(path, str(exc))) from None
    try:
        config = Config.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(value_message(path, text, exc)) from None
    base = path.resolve().parent
    return config.model_copy(
        update={"folders": config.folders.resolved(base), "source": path.resolve()}
    )


# -- messages -----------------------------------------------------------------------------

TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")


def syntax_message(path: Path, detail: str) -> str:
    match = TOML_POSITION.search(detail)
    where = f"第{match.group(1)}行第{match.group(2)}列" if match and match.group(1) else "文件末尾"
    return (
        f"配置文件 {path} {where}不符合TOML格式，无法读取；请检查该处的方括号、引号是否成对，"
        "设置是否写成“名称 = 值”，文本是否用英文双引号括起来"
    )


def value_message(path: Path, text: str, error: ValidationError) -> str:
    """Every wrong value of the file, each with its line, section and key."""
    sentences = []
    for detail in error.errors(include_url=False):
        loc = [str(part) for part in detail["loc"]]
        section, key = loc[0], loc[1] if len(loc) > 1 else ""
        line = line_of(text, section, key)
        where = f"第{line}行" if line else ""
        name = f"[{section}] {key}".strip() if key else f"[{section}]"
        sentences.append(f"{where} {name}：{explain(detail, section, key)}".strip())
    return f"配置文件 {path} 有错误：" + "；".join(sentences)


def explain(detail: Any, section: str, key: str) -> str:
    kind, ctx = detail["type"], detail.get("ctx") or {}
    if kind == "extra_forbidden":
        if key:
            known = SECTIONS[section].model_fields if section in SECTIONS else {}
            return "无法识别的设置；可用的设置有：" + "、".join(known)
        return "无法识别的节；可用的节有：" + "、".join(SECTIONS)
    messages = {
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "int_from_float": "应为整数",
        "float_parsing": "应为数字",
        "float_type": "应为数字",
        "bool_parsing": "应为 true 或 false",
        "bool_type": "应为 true 或 false",
        "string_type": "应为文本（用英文双引号括起来）",
        "decimal_parsing": "应为金额数字，例如 20000",
        "decimal_type": "应为金额数字，例如 20000",
        "path_type": "应为文件夹路径（文本）",
        "folder_empty": "不能为空，应为文件夹路径",
        "tuple_type": '应为文本列表，例如 ["运行部", "检修部"]',
        "model_type": "应为一个节，例如 [rules]",
        "model_attributes_type": "应为一个节，例如 [rules]",
        "string_too_short": "不能为空",
        "string_too_long": f"太长（不超过{ctx.get('max_length')}个字）",
        "string_pattern_mismatch": "只能包含英文字母、数字、下划线、点和连字符",
        "greater_than": f"应大于{ctx.get('gt')}",
        "greater_than_equal": f"应不小于{ctx.get('ge')}",
        "less_than": f"应小于{ctx.get('lt')}",
        "less_than_equal": f"应不大于{ctx.get('le')}",
    }
    found = detail.get("input")
    text = found if isinstance(found, str) else toml_value(found)
    shown = "" if isinstance(found, dict) else f"（现为“{text}”）"
    return messages.get(kind, "取值不正确") + shown


def line_of(text: str, section: str, key: str) -> int | None:
    """The line of ``key`` in ``[section]`` (or of the section's header), 1-based."""
    current, header = "", None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not current and not key and re.match(rf"{re.escape(section)}\s*=", stripped):
            return number  # a key written above every section
        if stripped.startswith("["):
            current = stripped.strip("[] \t").split("]")[0].strip()
            if current == section:
                header = number
            continue
        if current == section and key and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return header


# -- writing a commented file (``unionforms init``) ---------------------------------------

HEADER = """\
# unionforms 配置文件。相对路径以本文件所在的文件夹为准。
# 所有设置都可以省略，省略时使用下面写出的默认值；以 # 开头的行是说明。
"""


COMMENT_WIDTH = 76  # display columns: a CJK character takes two
BREAK_AFTER = "，；。、）"


def comment_lines(text: str) -> list[str]:
    """``text`` as ``# `` lines that fit an 80-column editor, broken after punctuation."""
    lines, current, width, last_break = [], "", 0, -1
    for char in text:
        current += char
        width += 2 if ord(char) > 0x2E7F else 1
        if char in BREAK_AFTER:
            last_break = len(current)
        if width > COMMENT_WIDTH:
            cut = last_break if last_break > 0 else len(current) - 1
            lines.append(current[:cut])
            current = current[cut:]
            width = sum(2 if ord(c) > 0x2E7F else 1 for c in current)
            last_break = -1
    lines.append(current)
    return [f"# {line.strip()}\n" for line in lines if line.strip()]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral() else str(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    text = value.as_posix() if isinstance(value, Path) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def commented_config(config: Config | None = None) -> str:
    """The whole configuration as a commented unionforms.toml, defaults unless given."""
    config = config or Config()
    parts = [HEADER]
    for name, section in SECTIONS.items():
        values = getattr(config, name)
        parts += ["\n", *comment_lines(section.__doc__ or ""), f"[{name}]\n"]
        for key, info in section.model_fields.items():
            value = getattr(values, key)
            parts += comment_lines(info.description or "")
            if value is None:  # unset: shown as an example to uncomment
                parts.append(f'# {key} = "{key}"\n')
            else:
                parts.append(f"{key} = {toml_value(value)}\n")
    return "".join(parts)
