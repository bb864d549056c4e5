"""``simfraud dashboard``: serve the Dash app of ``dashboards/`` with waitress."""

from __future__ import annotations

import argparse
from pathlib import Path

from simfraud.cli.errors import bad_input, interrupted


def dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until Ctrl-C (exit 130); an unusable folder or port is exit 2."""
    from waitress.server import create_server

    from dashboards.app import create_app

    for flag, folder in (("--results", args.results), ("--scenarios", args.scenarios)):
        if Path(folder).exists() and not Path(folder).is_dir():
            return bad_input(f"simfraud dashboard: {flag} {folder}: not a folder")
    try:
        Path(args.results).mkdir(parents=True, exist_ok=True)
        app = create_app(args.results, args.scenarios, hosts=(args.host, *args.allow_host),
                         max_runs=args.max_runs, max_queued=args.max_queued)
        server = create_server(app.server, host=args.host, port=args.port,
                               threads=args.workers, ident="simfraud")
    except OSError as exc:
        return bad_input(f"simfraud dashboard: cannot serve on {args.host}:{args.port} with "
                         f"results in {args.results} ({exc.strerror or exc})")
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"simfraud dashboard on http://{shown_host}:{args.port}/ "
          f"(results: {args.results}, scenarios: {args.scenarios}; {args.workers} threads, "
          f"at most {args.max_runs} background run(s) at once, {args.max_queued} queued)",
          flush=True)
    server.run()  # waitress returns on Ctrl-C (it catches KeyboardInterrupt itself)
    server.close()
    return interrupted()
