"""Installed like real software (#8): templates found inside the package, ``init`` making a
working folder, the configuration found in its documented order, ``--version``,
``python -m pipeline``, and a bug reported in one Chinese sentence with its traceback in the
log. (``.ci/run`` also installs the built wheel into a fresh venv outside the checkout and runs
the demo there.)"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from forms import KINDS
from pipeline import render
from pipeline.cli import main
from pipeline.config import Config, Folders, commented_config, load_config, parse_config
from pipeline.store import Store
from tests.conftest import Workspace

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None) -> object:
    return CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)


def test_every_template_is_found_through_the_package() -> None:
    names = {spec.template for kind in KINDS for spec in kind.documents}
    for name in names:
        data = render.builtin_template(name)
        assert data == (ROOT / "templates" / name).read_bytes(), name


def test_a_configured_templates_folder_overrides_one_file_at_a_time(
    ws: Workspace, tmp_path: Path
) -> None:
    custom = tmp_path / "my-templates"
    custom.mkdir()
    (custom / "hardship_file.docx").write_bytes(b"not really a template")
    config = ws.config.model_copy(
        update={"folders": ws.config.folders.model_copy(update={"templates": custom})}
    )
    assert render.template_bytes(config, "hardship_file.docx") == b"not really a template"
    approval = render.template_bytes(config, "hardship_approval.docx")
    assert approval == render.builtin_template("hardship_approval.docx")


def test_the_checkout_config_is_the_one_init_writes() -> None:
    """unionforms.toml in the checkout and the one ``init`` writes come from one definition."""
    text = (ROOT / "unionforms.toml").read_text(encoding="utf-8")
    assert text == commented_config()
    parsed = parse_config(text, ROOT / "unionforms.toml")
    assert parsed.organisation == Config().organisation and parsed.rules == Config().rules


def test_init_makes_a_working_folder(tmp_path: Path) -> None:
    office = tmp_path / "工会"
    result = run("init", str(office))
    assert result.exit_code == 0, result.output
    assert "已建立：unionforms.toml" in result.output
    assert "departments" in result.output and "unionforms watch" in result.output
    for name in ("inbox", "outbox", "state"):
        assert (office / name).is_dir()
    if os.name == "posix":
        assert stat.S_IMODE((office / "state").stat().st_mode) == 0o700
    config = load_config(office / "unionforms.toml")
    assert config.folders.inbox == office / "inbox"
    assert config.organisation.union == "阿拉尔盛源热电有限责任公司工会"

    (office / "unionforms.toml").write_text('[rules]\ndepartments = ["运行部"]\n', encoding="utf-8")
    again = run("init", str(office))
    assert again.exit_code == 0 and "已存在，未改动：unionforms.toml" in again.output
    assert load_config(office / "unionforms.toml").rules.departments == ("运行部",)


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    result = run("init", str(tmp_path / "a-file"))
    assert result.exit_code == 2 and "是一个文件" in result.output


def write_config(folder: Path, inbox: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "unionforms.toml"
    path.write_text(f'[folders]\ninbox = "{inbox}"\n', encoding="utf-8")
    (folder / inbox).mkdir(exist_ok=True)
    return path


def test_config_is_found_in_the_documented_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = write_config(tmp_path / "given", "given-inbox")
    from_env = write_config(tmp_path / "env", "env-inbox")
    write_config(tmp_path / "cwd", "cwd-inbox")
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setenv("UNIONFORMS_CONFIG", str(from_env))
    assert load_config(given).folders.inbox == tmp_path / "given" / "given-inbox"
    assert load_config().folders.inbox == tmp_path / "env" / "env-inbox"
    monkeypatch.delenv("UNIONFORMS_CONFIG")
    assert load_config().folders.inbox == tmp_path / "cwd" / "cwd-inbox"
    monkeypatch.chdir(tmp_path)
    defaults = load_config()
    assert defaults.source is None and defaults.folders == Folders().resolved(tmp_path)


def test_process_says_first_which_config_and_folders(tmp_path: Path) -> None:
    config = write_config(tmp_path, "in")
    result = run("--config", str(config), "process")
    first = result.output.splitlines()[0]
    assert first.startswith(f"配置：{config}") and str(tmp_path / "in") in first


def test_version_and_python_m_pipeline_agree() -> None:
    script = Path(sys.executable).with_name("unionforms")
    as_module = subprocess.run(
        [sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True
    )
    assert as_module.returncode == 0 and as_module.stdout.startswith("unionforms ")
    if script.exists():
        as_script = subprocess.run([script, "--version"], capture_output=True, text=True)
        assert as_script.stdout == as_module.stdout
    help_text = subprocess.run(
        [sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True
    ).stdout
    assert help_text.startswith("用法: unionforms ")


def test_a_bug_is_one_chinese_sentence_and_a_traceback_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.cli import admin

    def broken(*args: object) -> list[Path]:
        raise KeyError("a bug of ours")

    monkeypatch.setattr(admin, "export_all", broken)
    config = write_config(tmp_path, "in")
    Store(tmp_path / "state").close()
    result = run("--config", str(config), "registers")
    assert result.exit_code == 2
    assert "程序内部错误" in result.output and "Traceback" not in result.output
    log = tmp_path / "state" / "unionforms.log"
    assert str(log) in result.output
    assert "KeyError: 'a bug of ours'" in log.read_text(encoding="utf-8")

    with pytest.raises(KeyError):
        CliRunner().invoke(
            main, ["--debug", "--config", str(config), "registers"], catch_exceptions=False
        )


def test_a_checkout_that_is_not_installed_finds_its_templates() -> None:
    """``python -m pipeline`` run inside a checkout imports the checkout's package, which has no
    ``pipeline.builtin_templates``: the templates come from the checkout's folder then."""
    code = (
        "import sys; sys.meta_path[:] = [f for f in sys.meta_path"
        " if 'editable' not in type(f).__module__ and 'editable' not in str(f)]\n"
        "from pipeline import render\n"
        "print(render.builtin_templates())\n"
        "print(len(render.builtin_template('hardship_file.docx')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    folder, size = done.stdout.split()
    assert Path(folder) == ROOT / "templates"
    assert int(size) == (ROOT / "templates" / "hardship_file.docx").stat().st_size


def test_the_wheel_lists_every_package() -> None:
    """A package missing from pyproject.toml works in the checkout and is absent when installed."""
    import tomllib

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(settings["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("pipeline", "forms")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed
    mapped = settings["tool"]["setuptools"]["package-dir"]
    assert mapped == {"pipeline.builtin_templates": "templates"}
