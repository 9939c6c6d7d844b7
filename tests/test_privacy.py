"""Personal data (#13, PIPL): who may read it, what leaves the office masked, what the logs may
hold, how it is deleted when its time is up, and how one person gets everything held on them.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from forms import KINDS, get_kind
from forms.base import FormKind
from forms.fields import IdNumber, Phone
from forms.hazard import ELIMINATED
from forms.samples import fictional_id
from pipeline.archive import verify_archive
from pipeline.cli import main
from pipeline.config import Config, ConfigError, parse_config
from pipeline.engine import BatchResult, collect_inbox, open_runtime, process_batch
from pipeline.logs import log
from pipeline.privacy import ID_IN_TEXT, MOBILE_IN_TEXT
from pipeline.purge import carry_out, plan_purge
from pipeline.samples import FILLERS
from pipeline.store import Store
from tests.batches import drop_files
from tests.conftest import NOW, Workspace, docx_text, make_config, register_rows
from tests.kinds import written_reports
from tests.test_first_week import office, run


def answering(config: Path, answer: str, *args: str) -> Result:
    """Run a command that asks, answering ``answer``."""
    return CliRunner().invoke(
        main, ["--config", str(config), *args], input=answer, catch_exceptions=False
    )


ZHANG_ID = fictional_id("19800315", 1)  # the first hardship sample's number


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sample_values(kind: FormKind, today: date, index: int = 0, **changes: Any) -> dict[str, Any]:
    return kind.samples(today)[index].values | changes


def process_at(config: Config, moment: datetime, files: dict[str, bytes]) -> BatchResult:
    """Process ``files`` as if it were ``moment`` (the year of receipt gives the serial)."""
    drop_files(config, files)
    rt = open_runtime(config, clock=lambda: moment)
    try:
        return process_batch(collect_inbox(config), rt)
    finally:
        rt.close()


def fill(config: Config, key: str, values: dict[str, Any], fmt: str = "xlsx") -> bytes:
    return FILLERS[fmt](get_kind(key), config, values)


# -- who may read it --------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_state_archive_returns_and_exports_are_owner_only(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0o022)  # a usual umask: what is private must be made so on purpose
    try:
        config = office(tmp_path / "w")
        inbox = tmp_path / "w" / "in"
        (inbox / "运行部").mkdir()
        (inbox / "运行部" / "good.xlsx").write_bytes(ws.xlsx("hardship"))
        (inbox / "运行部" / "bad.xlsx").write_bytes(ws.xlsx("hardship", 1, phone="1"))
        assert run(config, "process").exit_code == 1
        assert run(config, "export-person", ZHANG_ID).exit_code == 0
        state = tmp_path / "w" / "st"
        log.handlers[0].doRollover()  # type: ignore[attr-defined]  # a rotated log too
    finally:
        os.umask(old)
    out = tmp_path / "w" / "out"
    for folder in (state, out / "archive", out / "rejected", out / "个人信息查询"):
        entries = [folder, *folder.rglob("*")]
        assert len(entries) > 2, folder
        for path in entries:
            assert mode(path) == (0o700 if path.is_dir() else 0o600), (path, oct(mode(path)))
    names = {p.name for p in state.iterdir()}
    assert {"unionforms.sqlite3", "unionforms.log", "unionforms.log.1", "processing.lock"} <= names


# -- what leaves the office ---------------------------------------------------------------------


def registers_of(config: Config, **privacy: Any) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The hardship register's and the report's row for the first sample, and the report's
    second title line."""
    if privacy:
        config = config.model_copy(
            update={
                "privacy": config.privacy.model_copy(update=privacy.get("privacy", {})),
                "rules": config.rules.model_copy(update=privacy.get("rules", {})),
            }
        )
    hardship = get_kind("hardship")
    process_at(
        config, NOW, {"a.xlsx": fill(config, "hardship", sample_values(hardship, NOW.date()))}
    )
    folder = config.folders.outbox / "registers"
    header, (row,) = register_rows(folder / "困难职工档案台账.xlsx")
    report_header, (report,) = register_rows(folder / "困难职工名单汇总表.xlsx")
    subtitle = str(load_workbook(folder / "困难职工名单汇总表.xlsx").active["A2"].value)
    return (
        dict(zip(header, row, strict=True)),
        dict(zip(report_header, report, strict=True)),
        subtitle,
    )


def test_the_report_for_the_parent_union_is_masked_by_default(tmp_path: Path) -> None:
    register, report, subtitle = registers_of(make_config(tmp_path))
    assert register["身份证号码"] == ZHANG_ID and register["联系电话"] == "13900000001"
    assert report["身份证号码"] == "659002********0011" and report["联系电话"] == "139****0001"
    assert report["姓名"] == "张示例" and report["年度"] == 2026
    assert "身份证号码和电话号码已部分遮盖" in subtitle


def test_masking_is_configured(tmp_path: Path) -> None:
    register, report, subtitle = registers_of(
        make_config(tmp_path / "a"), privacy={"mask_outgoing": False}
    )
    assert report["身份证号码"] == ZHANG_ID and "遮盖" not in subtitle
    register, report, _ = registers_of(make_config(tmp_path / "b"), rules={"mask_id_numbers": True})
    assert register["身份证号码"] == "659002********0011" and register["联系电话"] == "13900000001"


def report_texts(ws: Workspace) -> str:
    """Every cell of every report's workbook and every paragraph of its letter, as written."""
    texts = []
    for kind in KINDS:
        for path in written_reports(ws, kind):
            if path.suffix == ".docx":
                texts.append(docx_text(path))
                continue
            for sheet in load_workbook(path).worksheets:
                texts += [str(v) for row in sheet.iter_rows(values_only=True) for v in row]
    return "\n".join(texts)


def test_every_report_for_the_parent_union_masks_personal_numbers(ws: Workspace) -> None:
    """``unionforms report hardship|hazards|accidents|visits-due``: the workbook and the letter
    hold no ID or phone number in full unless [privacy] mask_outgoing is turned off."""
    assert all(report.leaves_office for kind in KINDS for report in kind.reports)
    for key in ("hardship", "fp_pledge", "hazard", "accident"):
        ws.drop(f"{key}.xlsx", ws.xlsx(key))
    assert {job.outcome for job in process_batch(collect_inbox(ws.config), ws.rt).jobs} == {
        "accepted"
    }
    full = (ID_IN_TEXT, MOBILE_IN_TEXT)
    masked = report_texts(ws)
    assert "********" in masked and "****" in masked
    assert not any(pattern.search(masked) for pattern in full)
    assert "身份证号码已遮盖中间8位" in masked
    privacy = ws.config.privacy.model_copy(update={"mask_outgoing": False})
    ws.rt.config = ws.config.model_copy(update={"privacy": privacy})
    whole = report_texts(ws)
    assert all(pattern.search(whole) for pattern in full)  # the check above could fail
    assert "遮盖" not in whole and "完整的身份证号码" in whole


# -- the logs ---------------------------------------------------------------------------------


def personal_numbers() -> set[str]:
    """Every ID and phone number in the samples of every kind, as stored."""
    found = set()
    for kind in KINDS:
        for sample in kind.samples(NOW.date()):
            for spec in kind.model.field_defs():
                value = sample.values.get(spec.key)
                if isinstance(spec.type, IdNumber | Phone) and value:
                    found.add(
                        re.sub(r"\D", "", str(value)) if isinstance(spec.type, Phone) else value
                    )
                for column in spec.columns:
                    for row in value or []:
                        if isinstance(column.type, IdNumber | Phone) and row.get(column.key):
                            found.add(re.sub(r"\D", "", str(row[column.key])))
    return {number for number in found if len(number) >= 11}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_audit_log_and_the_log_file_never_hold_a_full_number(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import stages

    folder = tmp_path / "演示"
    assert run(office(tmp_path / "x"), "demo", "--dir", str(folder)).exit_code == 0
    config = folder / "unionforms.toml"
    inbox = folder / "inbox"
    (inbox / f"{ZHANG_ID}张示例.xlsx").write_bytes(ws.xlsx("hardship", address="示例路9号"))
    (inbox / "13900000001.docx").write_bytes(ws.docx("hardship", 1, phone="13900000002"))
    real_render = stages.render_documents

    def failing(kind: Any, record: Any, *args: Any) -> Any:
        if record.values.get("address") == "示例路9号":
            raise ValueError(
                f"模板出错：{record.values['id_number']} 电话 {record.values['phone']}"
            )
        return real_render(kind, record, *args)

    monkeypatch.setattr(stages, "render_documents", failing)
    assert run(config, "process").exit_code == 2
    monkeypatch.undo()
    assert run(config, "export-person", ZHANG_ID).exit_code == 0
    database = sqlite3.connect(folder / "state" / "unionforms.sqlite3")
    events = " ".join(row[0] for row in database.execute("SELECT detail FROM events"))
    database.close()
    logged = (folder / "state" / "unionforms.log").read_text("utf-8")
    assert "ValueError: 模板出错：659002********" in logged  # the failure is there, masked
    assert "659002********0011张示例.xlsx" in events
    numbers = personal_numbers()
    assert ZHANG_ID in numbers and "13900000001" in numbers and len(numbers) >= 4
    for number in numbers:
        assert number not in events and number not in logged, number


# -- purging ----------------------------------------------------------------------------------


@pytest.fixture
def old_office(tmp_path: Path) -> Iterator[Config]:
    """Hazards reported in 2012 and rectified that year, a hardship file of 2012 never closed,
    an accident of 2012 still under investigation, a form returned in 2012 — and a hazard of
    this year. Retention: hazards 10 years (so those of 2012 are due in 2022)."""
    config = make_config(tmp_path)
    config.folders.inbox.mkdir(parents=True)
    then = datetime(2012, 6, 15, 9, 0)
    hazard, followup = get_kind("hazard"), get_kind("hazard_followup")
    first = process_at(
        config,
        then,
        {
            "h1.xlsx": fill(config, "hazard", sample_values(hazard, then.date())),
            "h2.docx": fill(
                config, "hazard", sample_values(hazard, then.date(), location="二号炉"), "docx"
            ),
            "k.xlsx": fill(config, "hardship", sample_values(get_kind("hardship"), then.date())),
            "a.xlsx": fill(
                config,
                "accident",
                sample_values(get_kind("accident"), then.date(), people_educated="否"),
            ),
            "错.xlsx": fill(config, "hazard", sample_values(hazard, then.date(), description="短")),
        },
    )
    serials = {job.record.ident for job in first.jobs if job.record}
    assert {"YH-2012-0001", "YH-2012-0002", "KN-2012-0001", "SG-2012-0001"} <= serials
    for serial in ("YH-2012-0001", "YH-2012-0002"):
        parent = Store(config.folders.state).record_by_serial(serial)
        assert parent is not None
        rt = open_runtime(config, clock=lambda: then)
        from pipeline import records

        view = records.view(parent)
        rt.close()
        values = next(s for s in followup.samples(then.date(), view) if s.good).values
        values = values | {"effect": ELIMINATED}
        process_at(config, then, {f"回执{serial}.xlsx": fill(config, "hazard_followup", values)})
    process_at(
        config, NOW, {"今年.xlsx": fill(config, "hazard", sample_values(hazard, NOW.date()))}
    )
    yield config


def ident_set(config: Config) -> set[str]:
    store = Store(config.folders.state, read_only=True)
    try:
        return {row["ident"] for row in store.record_rows()}
    finally:
        store.close()


def test_purge_deletes_only_what_is_past_its_retention(old_office: Config) -> None:
    config = old_office
    store = Store(config.folders.state)
    try:
        plan = plan_purge(store, config, date(2013, 1, 1), None, NOW.date())
        assert [item.ident for item in plan.records] == ["YH-2012-0001", "YH-2012-0002"]
        assert [item.ident for item in plan.returned] == ["错.xlsx"]
        kept = {k.ident: k.reason for k in plan.kept}
        assert kept["KN-2012-0001"] == "尚未了结：未销档的一直保存"
        assert "未结案" in kept["SG-2012-0001"]
        documents = [p for item in plan.records for p in item.files if p.suffix == ".docx"]
        assert len(documents) == 4  # two notices, two acceptance slips
        assert all(p.exists() for item in plan.records for p in item.files)
        carry_out(plan, store, config.folders.outbox)
        assert all(not p.exists() for item in plan.records for p in item.files)
        check = verify_archive(config.folders.outbox / "archive", store)
        assert check.faults == [] and check.checked == 3
        events = store.execute("SELECT event, detail FROM events ORDER BY id").fetchall()
        assert events[-1]["event"] == "purged"
        assert "YH-2012-0001、YH-2012-0002" in events[-1]["detail"]
        gone = store.execute(
            "SELECT COUNT(*) FROM events WHERE detail LIKE '%YH-2012-0001%' AND event != 'purged'"
        ).fetchone()[0]
        assert gone == 0
    finally:
        store.close()
    assert ident_set(config) == {"KN-2012-0001", "SG-2012-0001", "YH-2026-0001"}
    assert not (config.folders.outbox / "rejected" / "错.xlsx").exists()


def test_a_purged_serial_is_never_given_again(old_office: Config) -> None:
    config = old_office.model_copy(
        update={"retention": old_office.retention.model_copy(update={"hazard": 1})}  # type: ignore[attr-defined]
    )
    store = Store(config.folders.state)
    try:
        plan = plan_purge(store, config, date(2013, 1, 1), "hazard", date(2014, 1, 1))
        assert [item.ident for item in plan.records] == ["YH-2012-0001", "YH-2012-0002"]
        carry_out(plan, store, config.folders.outbox)
    finally:
        store.close()
    late = datetime(2012, 12, 30, 9, 0)  # a clock set back, or a form of 2012 resumed
    values = sample_values(get_kind("hazard"), late.date(), location="三号炉")
    (job,) = process_at(config, late, {"迟到.xlsx": fill(config, "hazard", values)}).jobs
    assert job.record is not None and job.record.serial == "YH-2012-0003"


def test_hardship_files_are_kept_at_least_ten_years_after_they_close(
    old_office: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match=r"\[retention\] hardship：应不小于10"):
        parse_config("[retention]\nhardship = 5\n", Path("unionforms.toml"))
    hardship = get_kind("hardship")
    store = Store(old_office.folders.state)
    try:
        for closed, due in ((date(2016, 7, 1), False), (date(2016, 6, 1), True)):
            monkeypatch.setattr(type(hardship), "closed_on", lambda self, record, c=closed: c)
            plan = plan_purge(store, old_office, date(2013, 1, 1), "hardship", NOW.date())
            assert [i.ident for i in plan.records] == (["KN-2012-0001"] if due else [])
            if not due:
                assert (
                    plan.kept[0].reason == "保存期限到2026-07-01（从档案销档之日2016-07-01起10年）"
                )
    finally:
        store.close()


def test_purge_asks_first_lists_on_a_dry_run_and_refuses_what_it_cannot(
    old_office: Config, tmp_path: Path
) -> None:
    config = tmp_path / "unionforms.toml"
    config.write_text(
        f'[folders]\ninbox = "{old_office.folders.inbox}"\noutbox = "{old_office.folders.outbox}"\n'
        f'state = "{old_office.folders.state}"\n',
        encoding="utf-8",
    )
    before = ident_set(old_office)
    dry = run(config, "purge", "--before", "2013-01-01", "--dry-run")
    assert dry.exit_code == 0 and "YH-2012-0001" in dry.output and "试运行" in dry.output
    assert "KN-2012-0001\t困难职工帮扶申请表\t尚未了结：未销档的一直保存" in dry.output
    declined = answering(config, "n\n", "purge", "--before", "2013-01-01")
    assert declined.exit_code == 1 and "确定永久删除以上2条记录" in declined.output
    assert ident_set(old_office) == before
    for wrong, said in (
        (["--kind", "hazard_followup"], "随所属的“事故隐患报告表”一起保存和删除"),
        (["--kind", "nope"], "没有这种表单"),
        (["--before", "去年"], "不是日期"),
    ):
        result = run(config, "purge", "--before", "2013-01-01", *wrong)
        assert result.exit_code == 2 and said in result.output, result.output
    done = answering(config, "y\n", "purge", "--before", "2013-01-01")
    assert done.exit_code == 0 and "已删除2条记录、1份退回的表单" in done.output
    assert ident_set(old_office) == before - {
        "YH-2012-0001",
        "YH-2012-0002",
        "YH-2012-0001-回执1",
        "YH-2012-0002-回执1",
    }
    assert run(config, "archive", "verify").exit_code == 0
    _, rows = register_rows(old_office.folders.outbox / "registers" / "事故隐患整改跟踪台账.xlsx")
    assert [row[0] for row in rows] == ["YH-2026-0001"]


# -- a person's own data ------------------------------------------------------------------------


def test_export_person_gathers_everything_held_about_one_person(
    ws: Workspace, tmp_path: Path
) -> None:
    config = office(tmp_path / "w")
    inbox = tmp_path / "w" / "in"
    (inbox / "1第一次.xlsx").write_bytes(ws.xlsx("hardship"))
    (inbox / "2第二次.docx").write_bytes(ws.docx("hardship", address="示例路2号"))
    (inbox / "3别人.xlsx").write_bytes(ws.xlsx("hardship", 1))
    assert run(config, "process").exit_code == 0
    (inbox / "冒名.xlsx").write_bytes(ws.xlsx("hardship", name="冒名者"))
    assert run(config, "process").exit_code == 1  # the number on file under another name
    result = run(config, "export-person", ZHANG_ID.lower())
    assert result.exit_code == 0 and "找到2条记录、1份退回的表单" in result.output
    (folder,) = (tmp_path / "w" / "out" / "个人信息查询").iterdir()
    assert folder.name.startswith("659002________0011-")  # masked, as a name Windows takes
    summary = (folder / "个人信息汇总.txt").read_text("utf-8-sig")
    assert f"身份证号码：{ZHANG_ID}" in summary
    assert "【困难职工帮扶申请表 KN-2026-0001】" in summary and "KN-2026-0002" in summary
    assert "姓名：李示例；与本人关系：配偶" in summary and "人均月收入（元）：1,666.67" in summary
    assert "王样例" not in summary and "【退回的表单】“冒名.xlsx”" in summary
    archived = next((tmp_path / "w" / "out" / "archive").rglob("原件-1第一次.xlsx"))
    assert (folder / "KN-2026-0001" / "原件-1第一次.xlsx").read_bytes() == archived.read_bytes()
    assert len(list((folder / "KN-2026-0001").glob("*.docx"))) == 2
    assert (folder / "退回的表单" / "冒名.xlsx").is_file()
    database = sqlite3.connect(tmp_path / "w" / "st" / "unionforms.sqlite3")
    (detail,) = database.execute(
        "SELECT detail FROM events WHERE event = 'export_person'"
    ).fetchone()
    database.close()
    assert detail == "659002********0011：2条记录，1份退回"
    wrong = run(config, "export-person", ZHANG_ID[:17] + "5")
    assert wrong.exit_code == 2 and "身份证号码校验码不符" in wrong.output
