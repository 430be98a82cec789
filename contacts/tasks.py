"""Background work for contacts: long imports."""

from nps_platform.celery import app
from organizations.tenancy import tenant_task

from .models import ContactImport
from .services import contacts_import_run as run


@app.task(name="contacts.import_run", time_limit=3600, soft_time_limit=3500, acks_late=True)
@tenant_task
def contacts_import_run(*, import_id: int, organization) -> str:
    record = ContactImport.objects.filter(pk=import_id).first()
    if record is None:
        return "missing"
    return run(record=record).status
