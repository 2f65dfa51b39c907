from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = "Wraparound core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  (membership/group sync, login auditing)
        from .plugins.manager import get_plugin_manager
        from .plugins.registry import registry
        from .roles import sync_roles

        registry.load(get_plugin_manager())
        post_migrate.connect(sync_roles, sender=self)
