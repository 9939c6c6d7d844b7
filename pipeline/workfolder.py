"""``unionforms init``: a working folder for an office.

The folder holds a commented ``unionforms.toml`` (the standard's names as defaults, written
from the same definitions that check it), ``inbox/`` (to share with the departments),
``outbox/`` and ``state/`` (the store and the log; owner-only, never shared). Whatever is
already there is kept: running ``init`` twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import CONFIG_NAME, Folders, commented_config
from pipeline.errors import ConfigError
from pipeline.files import follow_umask, private_dir, write_atomic
from pipeline.store import Store, database_path


@dataclass
class InitResult:
    folder: Path
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        config = self.folder / CONFIG_NAME
        said = [f"工作文件夹：{self.folder}"]
        said += [f"  已建立：{path.name}" for path in self.created]
        said += [f"  已存在，未改动：{path.name}" for path in self.kept]
        return [
            *said,
            "",
            "接下来：",
            f"1. 用记事本打开 {config}，核对单位和工会名称，在 [rules] departments 中"
            "填写本单位的部门名单（填写后，表单的“所在部门”只能从中选择）。",
            "2. 生成空白表单发给各部门：unionforms forms build（在 outbox/blank-forms 中）。",
            f"3. 把收件箱 {self.folder / 'inbox'} 共享给各部门放表单；"
            "state 文件夹存有全部个人信息，只留在本机，不要共享。",
            "4. 在本文件夹中运行 unionforms watch 持续处理收件箱"
            "（收件箱在网络共享上时加 --polling），或按 README 的“Installing for an office”"
            "装成系统服务；也可随时运行 unionforms process 处理一次。",
            "5. 文书、台账和退回的表单含有个人信息，默认只有运行本程序的账号能读取；"
            "共享文件夹用别的账号访问时，在配置文件 [permissions] share_group 中填写一个用户组，"
            "这些文件就归该组所有、组内可读。",
            f"在其他文件夹运行时，用 --config {config} "
            "或设置环境变量 UNIONFORMS_CONFIG 指向本配置文件。",
        ]


def init_folder(folder: Path) -> InitResult:
    """Make ``folder`` a working folder; keep whatever is already there."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder} 是一个文件，不能作为工作文件夹")
    result = InitResult(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / CONFIG_NAME
        if config.exists():
            result.kept.append(config)
        else:
            follow_umask(write_atomic(config, commented_config().encode("utf-8")))
            result.created.append(config)
        defaults = Folders()
        for name in ("inbox", "outbox"):
            path = folder / getattr(defaults, name)
            (result.kept if path.is_dir() else result.created).append(path)
            path.mkdir(exist_ok=True)
        state = folder / defaults.state
        (result.kept if state.is_dir() else result.created).append(state)
        private_dir(state)
        if not database_path(state).is_file():
            Store(state).close()  # an empty store: the commands that read it work from day one
    except OSError as exc:
        raise ConfigError(f"无法在 {folder} 建立工作文件夹：{exc.strerror or exc}") from None
    return result
