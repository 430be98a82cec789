from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Contacts"

    def ready(self):
        from . import tasks  # noqa: F401 - registers the tasks that services queue by name
