"""The Wagtail admin screens of core: ``shell`` (branding, dashboard, menus per
programme), ``structure`` (partnerships, organisations, teams, memberships, programme
modules) and ``records`` (profiles and cases through the access engine)."""
