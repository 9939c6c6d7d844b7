"""unionforms.toml: names, rules, folders and fonts, with the standard's names as defaults.

Relative folders are resolved against the directory of the configuration file (or the current
directory when there is none), so the same file works wherever the command is started.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

CONFIG_NAME = "unionforms.toml"
REPO_ROOT = Path(__file__).resolve().parent.parent
TYPE_NAMES = {str: "文本", int: "整数", float: "数字", bool: "true 或 false"}


@dataclass(frozen=True)
class Organisation:
    name: str = "阿拉尔盛源热电有限责任公司"
    short_name: str = "盛源热电"
    union: str = "阿拉尔盛源热电有限责任公司工会"
    parent_union: str = "一师电力公司工会"
    safety_authority: str = "安全生产监督管理部门"
    document_prefix: str = "盛源工会"


@dataclass(frozen=True)
class Rules:
    subsidy_cap: Decimal = Decimal("20000")
    departments: tuple[str, ...] = ()
    visit_interval_days: int = 90
    mask_id_numbers: bool = False


@dataclass(frozen=True)
class Folders:
    inbox: Path = Path("inbox")
    outbox: Path = Path("outbox")
    state: Path = Path("state")
    templates: Path = REPO_ROOT / "templates"


@dataclass(frozen=True)
class Fonts:
    title: str = "方正小标宋简体"
    body: str = "仿宋_GB2312"
    heading: str = "黑体"
    subheading: str = "楷体_GB2312"
    table: str = "宋体"
    latin: str = "Times New Roman"


@dataclass(frozen=True)
class Limits:
    max_file_mb: int = 20
    max_unpacked_mb: int = 200
    soffice: str = "soffice"
    convert_timeout_seconds: int = 120


@dataclass(frozen=True)
class Watch:
    stability_seconds: float = 2.0
    incomplete_seconds: float = 600.0
    rescan_seconds: float = 300.0
    polling_interval_seconds: float = 5.0
    register_debounce_seconds: float = 5.0


SECTIONS = {
    "organisation": Organisation,
    "rules": Rules,
    "folders": Folders,
    "fonts": Fonts,
    "limits": Limits,
    "watch": Watch,
}


@dataclass(frozen=True)
class Config:
    organisation: Organisation = field(default_factory=Organisation)
    rules: Rules = field(default_factory=Rules)
    folders: Folders = field(default_factory=Folders)
    fonts: Fonts = field(default_factory=Fonts)
    limits: Limits = field(default_factory=Limits)
    watch: Watch = field(default_factory=Watch)
    source: Path | None = None

    def settings(self) -> dict[str, Any]:
        """The values form rules may consult (``FormContext.settings``)."""
        return {
            "subsidy_cap": self.rules.subsidy_cap,
            "departments": self.rules.departments,
            "visit_interval_days": self.rules.visit_interval_days,
        }

    def with_folders(self, **folders: Path | None) -> Config:
        """A copy with some folders replaced (command-line options win over the file)."""
        given = {name: Path(path).resolve() for name, path in folders.items() if path is not None}
        return replace(self, folders=replace(self.folders, **given)) if given else self


def _coerce(section: str, name: str, default: Any, value: Any, base: Path) -> Any:
    where = f"{CONFIG_NAME} 中 [{section}] {name}"
    if isinstance(default, Path):
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where} 应为文件夹路径（文本）")
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base / path).resolve()
    if isinstance(default, Decimal):
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ConfigError(f"{where} 应为金额数字，例如 20000") from None
        if not amount.is_finite() or amount < 0:
            raise ConfigError(f"{where} 应为不小于0的金额数字")
        return amount
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f'{where} 应为文本列表，例如 ["运行部", "检修部"]')
        return tuple(v.strip() for v in value if v.strip())
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(f"{where} 的类型不对，应为{TYPE_NAMES[expected]}")
    return value


def _section(name: str, cls: type, table: Any, base: Path) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{CONFIG_NAME} 中 [{name}] 应为一个表（节）")
    defaults = cls()
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"{CONFIG_NAME} 中 [{name}] 有无法识别的设置：{'、'.join(unknown)}；"
            f"可用的设置有：{'、'.join(sorted(known))}"
        )
    values = {
        key: _coerce(name, key, getattr(defaults, key), value, base) for key, value in table.items()
    }
    if name == "folders":
        values = {key: values.get(key, (base / getattr(defaults, key)).resolve()) for key in known}
    return replace(defaults, **values)


def load_config(path: Path | None = None) -> Config:
    """Read ``path``, or ``./unionforms.toml`` when it exists, or use the defaults."""
    if path is None:
        candidate = Path.cwd() / CONFIG_NAME
        path = candidate if candidate.is_file() else None
    if path is None:
        return Config(folders=_section("folders", Folders, {}, Path.cwd()))
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"找不到配置文件 {path}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"配置文件 {path} 无法读取：{exc}") from None
    base = Path(path).resolve().parent
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown:
        raise ConfigError(
            f"{CONFIG_NAME} 有无法识别的节：{'、'.join(unknown)}；可用的节有：{'、'.join(SECTIONS)}"
        )
    sections = {
        name: _section(name, cls, document.get(name, {}), base) for name, cls in SECTIONS.items()
    }
    return Config(**sections, source=Path(path).resolve())
