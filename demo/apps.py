from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organization (`manage.py seed_demo`): it sets up every stage, so it sits on top
    of them all and no stage imports it."""

    name = "demo"
    verbose_name = "Demo"
