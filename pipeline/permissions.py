"""Who may read what unionforms writes (POSIX; on Windows the folders' own ACLs decide).

The state folder and the archive are owner-only, always. Documents, registers and returned
forms hold personal data (ID numbers, health, family): owner-only by default too (files 0600,
folders 0700, names included, because file names carry people's names). An office whose share
runs under another account names a group in ``[permissions] share_group``: those files and
folders then belong to that group and the group may read them (0640/0750). Files without
personal data (blank forms, the configuration) follow the umask.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.files import missing_folders

OWNER_FILE, OWNER_DIR = 0o600, 0o700
GROUP_FILE, GROUP_DIR = 0o640, 0o750


def group_id(name: str) -> int:
    """The id of a group given by name or number."""
    if name.isdigit():
        return int(name)
    import grp  # POSIX only

    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise ConfigError(
            f"unionforms.toml 中 [permissions] share_group 指定的用户组“{name}”在本机不存在；"
            "请先建立该用户组，或改为已有的组名"
        ) from None


@dataclass(frozen=True)
class Sharing:
    """The permissions given to files and folders with personal data."""

    gid: int | None = None

    @classmethod
    def from_group(cls, name: str) -> Sharing:
        if not name or os.name != "posix":
            return cls()
        return cls(group_id(name))

    def file(self, path: Path) -> None:
        if os.name != "posix":
            return
        if self.gid is not None:
            os.chown(path, -1, self.gid)
        path.chmod(OWNER_FILE if self.gid is None else GROUP_FILE)

    def folder(self, path: Path) -> Path:
        """Create ``path`` and its missing parents with these permissions."""
        missing = list(missing_folders(path))
        if not missing:
            return path
        path.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            for created in missing:
                if self.gid is not None:
                    os.chown(created, -1, self.gid)
                created.chmod(OWNER_DIR if self.gid is None else GROUP_DIR)
        return path
