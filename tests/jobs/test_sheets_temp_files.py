"""An export's temporary files stay in the job's own folder and do not outlive it."""

import os
import select
import signal
import tempfile

import pytest

from portal.core.spreadsheets import write_xlsx
from portal.jobs.files import sheet_files_purge, work_folder
from portal.jobs.models import Job, JobStatus
from portal.jobs.runner import run_job
from portal.spreadsheets.services import sheet_export_start, sheet_file
from tests.sheets import read_xlsx


@pytest.fixture
def system_temp(monkeypatch, tmp_path):
    """The system's temporary folder, as this test's own (to see what is left there)."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _files(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_killed_writer_leaves_its_sheet_in_the_work_folder_only(tmp_path, system_temp):
    work = tmp_path / "work"
    work.mkdir()
    ready, signal_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the writer, killed half-way like a worker the watchdog gave up on
        try:

            def rows():
                for n in range(1_000_000):
                    if n == 500:
                        os.write(signal_write, b"x")
                        signal.pause()
                    yield [n, f"row {n}"]

            with open(os.devnull, "wb") as out:
                write_xlsx(out, ["n", "text"], rows(), work_dir=work)
        finally:
            os._exit(1)
    assert select.select([ready], [], [], 30)[0], "the writer never got half-way"
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    assert _files(system_temp) == []
    # The writer's rows so far (XlsxWriter's constant-memory file), in the work folder only.
    assert len(_files(work)) == 1


def test_the_next_attempt_removes_what_a_killed_one_left(sheet_world, lead, system_temp):
    job = sheet_export_start(user=lead, sheet="tasks", fmt="xlsx")
    folder = work_folder(job)
    folder.mkdir(parents=True)
    (folder / "sheet-killed.xml").write_bytes(b"<row>" * 1000)
    (folder / ".tasks.xlsx.killed.tmp").write_bytes(b"")

    assert run_job(job.pk) == "succeeded"
    job.refresh_from_db()
    assert not folder.exists()
    assert _files(system_temp) == []
    assert {"OPS-1", "OPS-2"} <= {row[0] for row in read_xlsx(sheet_file(job).read_bytes())}
    assert not [p for p in sheet_file(job).parent.iterdir() if p.name.endswith(".tmp")]


def test_the_clean_up_removes_work_folders_of_jobs_no_longer_running(sheet_world, lead):
    finished = sheet_export_start(user=lead, sheet="tasks", fmt="xlsx")
    running = sheet_export_start(user=lead, sheet="tasks", fmt="xlsx")
    Job.objects.filter(pk=finished.pk).update(status=JobStatus.FAILED)
    Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING)
    for job in (finished, running):
        work_folder(job).mkdir(parents=True)
        (work_folder(job) / "sheet-1.xml").write_bytes(b"x")
    gone = work_folder(finished).parent / "999999"
    gone.mkdir()
    (gone / "sheet-2.xml").write_bytes(b"x")

    assert sheet_files_purge() == 2
    assert not work_folder(finished).exists() and not gone.exists()
    assert _files(work_folder(running)) == ["sheet-1.xml"]
