"""The ``wraparound`` command (installed by ``pip install -e .``).

- ``wraparound demo [--host 127.0.0.1] [--port 8000] [--no-worker]``: create or update
  the database (SQLite in ``var/`` unless ``DATABASE_URL`` says otherwise), load the demo
  partnership unless it is there already, print the demo logins and serve the site.
  Unless a worker started by an earlier demo is still running (``var/worker.pid``), it
  also starts the django-tasks worker (``db_worker``) and queues the periodic sweeps
  (trigger rules, grant expiry) every ``WRAPAROUND_SWEEP_SECONDS`` (300) seconds —
  django-tasks has no scheduler of its own; production uses cron or a timer.
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


def _worker_running(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def start_worker_and_sweeps() -> None:
    """Start ``db_worker`` (stopped when the demo stops) and a thread that queues the sweeps."""
    import atexit
    import subprocess
    import threading
    import time

    from django.conf import settings

    pid_file = Path(settings.DATA_DIR) / "worker.pid"
    if _worker_running(pid_file):
        print("A task worker is already running; not starting another.", flush=True)
    else:
        manage = Path(__file__).resolve().parents[1] / "manage.py"
        worker = subprocess.Popen([sys.executable, str(manage), "db_worker", "--queue-name", "*", "--no-reload"])
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        pid_file.write_text(str(worker.pid))

        def stop():
            worker.terminate()
            pid_file.unlink(missing_ok=True)

        atexit.register(stop)
        print(f"Task worker started (pid {worker.pid}).", flush=True)
    interval = int(os.environ.get("WRAPAROUND_SWEEP_SECONDS", "300"))

    def sweeps():
        from core.tasks import evaluate_alerts_task, expire_grants_task

        while True:
            for task in (evaluate_alerts_task, expire_grants_task):
                try:
                    task.enqueue()
                except Exception as exc:  # noqa: BLE001 — the demo server must keep running
                    print(f"Could not queue {task.name}: {exc}", file=sys.stderr, flush=True)
            time.sleep(interval)

    threading.Thread(target=sweeps, name="wraparound-sweeps", daemon=True).start()


def demo(host: str, port: int, worker: bool = True) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    print("Preparing the database…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo")
    if worker:
        start_worker_and_sweeps()
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
    demo_parser.add_argument("--no-worker", action="store_true", help="Do not start the task worker.")
    commands.add_parser("manage", help="Run a Django management command (manage.py).")
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo(args.host, args.port, worker=not args.no_worker)


if __name__ == "__main__":
    main()
