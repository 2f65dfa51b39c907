"""The hooks a Wraparound plugin may implement — the plugin author's manual.

A plugin is a Django app with a ``plugin.py`` module holding functions decorated with
``core.plugins.hookimpl``. Built-in plugins live in ``plugins/``; third-party ones are
installed packages that declare an entry point in the group ``wraparound`` naming their
``plugin`` module::

    [project.entry-points.wraparound]
    gangs = "wraparound_gangs.plugin"

Rules for every hook:

- Hooks are called with keyword arguments only; a hookimpl may accept fewer arguments
  than the spec names (pluggy passes only those it asks for), so new arguments never
  break old plugins.
- What a plugin declares is collected once at start-up into ``core.plugins.registry``;
  hooks are not called on the request path, except where a hook says otherwise.
- Codes (programme slugs, identifier types, person roles, markers) are global: the
  registry refuses a code declared twice, naming both plugins.

``docs/hooks.md`` repeats these signatures with examples; a test keeps the two in step.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("wraparound")


@hookspec
def wraparound_programme():
    """Declare the programme this plugin provides.

    Called once at start-up, on each plugin separately (so that the registry knows which
    plugin's menu items and screens belong to which programme). Return a
    :class:`core.plugins.types.Programme` (slug, name, description, case reference
    prefix, icon and case types with their stages and outcomes), or ``None`` if the
    plugin provides no programme.
    """


@hookspec
def wraparound_identifier_types():
    """Identifier types this plugin adds (prison number, probation case reference…).

    Called once at start-up. Return a list of :class:`core.plugins.types.IdentifierType`.
    """


@hookspec
def wraparound_person_roles():
    """Person roles this plugin adds (offender, victim, PPO…).

    Called once at start-up. Return a list of :class:`core.plugins.types.Choice`.
    """


@hookspec
def wraparound_warning_markers():
    """Warning markers this plugin adds (violence, weapons, IOM cohort…).

    Called once at start-up. Return a list of :class:`core.plugins.types.Choice`.
    """


@hookspec
def wraparound_admin_menu_items():
    """Admin menu entries for this plugin's programme.

    Called once at start-up. Return a list of :class:`core.plugins.types.MenuItem`. They
    appear in the programme's menu group, and only for users of organisations that have
    the programme enabled.
    """


@hookspec
def wraparound_admin_urls():
    """Admin URL patterns of this plugin's screens.

    Called once when the admin URLconf loads. Return a list of ``django.urls`` patterns;
    they are mounted under ``/admin/programmes/<slug>/`` and answer 404 to users whose
    organisations have not enabled the programme.
    """


@hookspec
def wraparound_api_router():
    """REST API routes of this plugin's programme.

    Called once when the API is assembled (at URLconf load), on the plugin that declared
    the programme. Return a ``ninja.Router`` (or ``None``); it is mounted under
    ``/api/v1/programmes/<slug>/``, behind the API's token and session authentication
    and rate limit, and answers 404 to callers none of whose organisations has the
    programme switched on.
    """


@hookspec
def wraparound_demo_data(context):
    """Add this programme's demo records.

    Called by ``manage.py load_demo`` after core has created the demo partnership.
    ``context`` is a :class:`core.plugins.types.DemoContext` with the organisations,
    teams and users by key, the demo profiles and a seeded ``random.Random``. Create
    records through ``core.services`` so that they are audited like real work. Return
    nothing.
    """


@hookspec
def wraparound_import_resources():
    """Spreadsheet import resources this plugin adds (an ASB case log, a missing-episode
    register…).

    Called once at start-up. Return a list of subclasses of
    :class:`core.imports.resources.ImportResource`, each with a unique ``code``; they
    are offered on the import screens and by ``manage.py import``. Core declares
    ``profiles``.
    """


@hookspec
def wraparound_report_types():
    """Report types this plugin ships (Prison History, Pre-release, Return-home interview…).

    Called once at start-up. Return a list of :class:`core.plugins.types.ReportTypeSpec`.
    ``core.reports.sync_report_types`` (run after ``migrate`` and by the demo) creates
    each one that does not exist yet as an editable report type; after that, partnership
    admins own it: a changed spec does not overwrite their edits.
    """


@hookspec
def wraparound_trigger_rule_kinds():
    """Kinds of trigger rule this plugin adds ("N missing episodes in D days"…).

    Called once at start-up. Return a list of :class:`core.plugins.types.TriggerRuleKind`.
    Admins then create rules of these kinds with parameters, scope and recipients;
    ``evaluate`` is called on data changes the kind listens to and by the periodic sweep.
    """


@hookspec
def wraparound_referral_forms():
    """Referral forms this plugin offers (e.g. an RJ referral form for the programme's
    RJ case type).

    Called once at start-up. Return a list of :class:`core.plugins.types.ReferralForm`:
    a slug (global), a label, the programme and case type a case starts in when the
    referral is accepted, the participant's role in that case, and a Django ``Form``
    class whose fields the referrer fills in. The answers are stored with the referral
    as shown (label and text), so they still read correctly if the form changes later.
    Core offers a generic form (any programme, any case type).
    """


@hookspec
def wraparound_profile_panels():
    """Panels this plugin adds to the profile hub (cohort summary, custody periods…).

    Called once at start-up. Return a list of :class:`core.plugins.types.RecordPanel`.
    Each is shown as a tab of the hub, after core's, when the user's organisations have
    the panel's programme enabled and its ``context(request, obj, level)`` returns a
    context (not ``None``); the function runs on the request path, so it reads through
    ``core.access`` and costs a fixed number of queries.
    """


@hookspec
def wraparound_case_panels():
    """Panels this plugin adds to the case screen (cohort membership, pathways…).

    Called once at start-up. Return a list of :class:`core.plugins.types.RecordPanel`;
    shown as sections of the case screen under the same rules as
    ``wraparound_profile_panels`` (programme enabled, ``context`` not ``None``).
    """


@hookspec
def wraparound_galleries():
    """Galleries this plugin ships ("IOM cohort", "Due for release in 28 days"…).

    Called once at start-up. Return a list of :class:`core.plugins.types.GallerySpec`
    (slug, name, description, programme, the saved-filter criteria core understands,
    and optionally ``profile_filter(profiles)`` for criteria only the plugin can
    express, and ``facets`` offered as filters on the grid). Slugs are global.
    ``core.services.sync_galleries`` (run after ``migrate`` and by the demo) creates each
    one that does not exist yet as a saved-filter gallery with no audience; partnership
    admins then choose its audience and own it (a changed spec does not overwrite their
    edits). The audience, minimal-card and audit rules of every gallery apply.
    """


@hookspec
def wraparound_statistics():
    """Statistics this plugin offers (cohort size by tier, adoptions per month…).

    Called once at start-up. Return a list of :class:`core.plugins.types.StatisticSpec`
    (slug, title, programme, ``columns``, ``value`` and ``compute(user)``). ``compute``
    is called on the request path, for users whose organisations have the programme
    enabled only, and must count only records the user may see (``core.access``) in a
    fixed number of queries. They are drawn on the dashboard's statistics panel and
    served by ``GET /api/v1/statistics/`` under ``programmes``.
    """
