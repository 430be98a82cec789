from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"
    verbose_name = "Responses"

    def ready(self):
        from celery.signals import worker_ready, worker_shutdown

        from . import outbox

        # Every Celery worker handles the answers' outbox in a thread of its main process.
        worker_ready.connect(outbox.consumer_start, weak=False, dispatch_uid="responses-outbox-start")
        worker_shutdown.connect(outbox.consumer_stop, weak=False, dispatch_uid="responses-outbox-stop")
