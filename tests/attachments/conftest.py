import pytest

from portal.tasks.services import task_create


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    """Attachments go to a temporary folder; no scanner unless a test names one."""
    folder = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }
    settings.ATTACHMENTS_SCANNER = ""
    settings.ATTACHMENTS_PRESIGNED_SECONDS = 0
    return folder


@pytest.fixture
def task(team, member):
    return task_create(actor=member, team=team, title="Quarterly report")


@pytest.fixture
def other_task(other_team, outsider):
    return task_create(actor=outsider, team=other_team, title="Their secret")


def stored_files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def run_jobs(kind=None) -> list:
    """Run the queued job records (as a worker would), oldest first; returns their results."""
    from portal.jobs.models import Job, JobStatus
    from portal.jobs.runner import run_job

    jobs = Job.objects.filter(status=JobStatus.QUEUED).order_by("pk")
    if kind:
        jobs = jobs.filter(kind=kind)
    done = []
    for job in jobs:
        run_job(job.pk)
        job.refresh_from_db()
        done.append(job)
    return done
