"""The ``wraparound`` command (installed by ``pip install -e .``).

- ``wraparound demo [--host 127.0.0.1] [--port 8000]``: create or update the database
  (SQLite in ``var/`` unless ``DATABASE_URL`` says otherwise), load the demo partnership
  unless it is there already, print the demo logins and serve the site.
- ``wraparound manage <args>``: Django's ``manage.py`` with the same settings.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _setup() -> None:
    # Like site/manage.py: the checkout's root holds core/ and plugins/, site/ holds the
    # settings package.
    root = Path(__file__).resolve().parents[2]
    for path in (str(root / "site"), str(root)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings.dev")


def demo(host: str, port: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    print("Preparing the database…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo")
    print(f"\nWraparound is at http://{host}:{port}/admin/ — sign in with a login above. Ctrl-C stops it.\n",
          flush=True)
    # No autoreloader: it would start this whole command again in a child process.
    call_command("runserver", f"{host}:{port}", use_reloader=False)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    _setup()
    if argv[:1] == ["manage"]:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["wraparound manage", *argv[1:]])
        return
    parser = argparse.ArgumentParser(prog="wraparound", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="Set up the demo database and serve it.")
    demo_parser.add_argument("--host", default="127.0.0.1")
    demo_parser.add_argument("--port", type=int, default=8000)
    commands.add_parser("manage", help="Run a Django management command (manage.py).")
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo(args.host, args.port)


if __name__ == "__main__":
    main()
