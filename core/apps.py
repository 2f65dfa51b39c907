from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = "Wraparound core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import (
            signals,  # noqa: F401  (membership/group sync, login auditing)
            signals_alerts,  # noqa: F401  (trigger rules re-evaluated on data changes)
        )
        from .admin.structure_scope import register_policies
        from .plugins.manager import get_plugin_manager
        from .plugins.registry import registry
        from .security import signals as security_signals  # noqa: F401  (lockout auditing)

        registry.load(get_plugin_manager())
        register_policies()
        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="wraparound_sync_roles")


def _sync_roles_after_last_app(sender, app_config, **kwargs) -> None:
    """post_migrate is sent once per app, and each app's permissions are created by its
    own signal; the roles use permissions of several apps (wagtailadmin, auth, core), so
    they are synced after the last app's permissions exist."""
    from django.apps import apps

    from .roles import sync_roles

    last = [a for a in apps.get_app_configs() if a.models_module is not None][-1]
    if app_config is last:
        sync_roles()
        # The report types the plugins declare (only those not created yet).
        from .services.reports import sync_report_types

        sync_report_types()
        # Likewise the galleries and default trigger rules they ship.
        from .services.alerts import sync_default_rules
        from .services.galleries import sync_galleries

        sync_galleries()
        sync_default_rules()
