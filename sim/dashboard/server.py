"""Serve the workshop page on 127.0.0.1 with every asset local: no CDN, no telemetry.

Solara reads its settings from the environment when it is first imported, so :func:`configure`
runs before any Solara import.  The page's JavaScript, styles and fonts are served by Solara's
asset proxy (``/_solara/cdn``) from its cache directory, ``<prefix>/share/solara/cdn``, which
the ``solara-assets`` package fills at install time (it must have solara's exact version:
1.58.2); without it the page would load them from a public CDN.  Solara's usage telemetry is
off, and the version check of ``solara run`` is avoided by starting uvicorn ourselves.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import warnings

from sim.errors import InputError

APP = "sim.dashboard.app"
SCENARIO_ENV = "ALIGNSIM_WORKSHOP_SCENARIO"
DEMO_ENV = "ALIGNSIM_WORKSHOP_DEMO"
HOST = "127.0.0.1"
OFFLINE_ENV = {
    "SOLARA_APP": APP,
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_ASSETS_PROXY": "True",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_THEME_TITLE": "alignsim workshop",
}


def configure(scenario: str, demo: str = "") -> None:
    """Environment for an offline Solara server showing ``scenario`` or the demonstration ``demo``
    (before importing solara)."""
    os.environ.update(OFFLINE_ENV)
    os.environ["SOLARA_MODE"] = "production"
    os.environ[SCENARIO_ENV] = scenario
    os.environ[DEMO_ENV] = demo
    # Solara warns (ten lines, on every page load) that a cookie cannot be samesite=none over plain
    # http; on 127.0.0.1 it falls back to samesite=lax, which is what a local workshop needs.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)


def bind(port: int, host: str = HOST) -> socket.socket:
    """A listening socket on ``host:port``; InputError if the port cannot be used."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "is already in use" if exc.errno in (98, 48, 10048) else f"cannot be used ({exc.strerror})"
        raise InputError("--port", f"port {port} on {host} {reason}; pick another with --port") from None
    sock.listen(128)
    return sock


def serve(scenario: str, port: int, host: str = HOST, announce=print, demo: str = "") -> None:
    """Serve the page until Ctrl-C; ``announce`` gets the URL once the port is bound.

    Ctrl-C at any moment ends the process: uvicorn stops accepting and closes the open pages
    within two seconds, then the process exits at once (``os._exit``: a session still playing in a
    worker thread would otherwise keep it alive, and a second Ctrl-C would end in a traceback)."""
    sock = bind(port, host)
    configure(scenario, demo)
    try:
        import uvicorn

        config = uvicorn.Config("solara.server.starlette:app", host=host, port=sock.getsockname()[1],
                                log_level="warning", timeout_graceful_shutdown=2)
        server = uvicorn.Server(config)
        query = f"?demo={demo}" if demo else ""
        shown = f"demonstration {demo}" if demo else f"scenario {scenario}"
        announce(f"alignsim workshop: http://{host}:{sock.getsockname()[1]}/{query}  ({shown}; Ctrl-C to stop)")
        sys.stdout.flush()
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while stopping changes nothing
    print("alignsim workshop: stopped", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
