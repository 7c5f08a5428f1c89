"""``award serve`` (the web interface) and ``award passwd`` (set a person's password)."""

from __future__ import annotations

import sys

import typer

from workflow.cli.base import app, command, state
from workflow.cli.output import LogFormat
from workflow.errors import NotFound
from workflow.logs import configure as configure_logs


@command(app, "serve")
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="port to listen on"),
    secure_cookies: bool = typer.Option(False, "--secure-cookies",
                                        help="mark cookies Secure (when served over HTTPS)"),
    forwarded_allow_ips: str = typer.Option(
        "", "--forwarded-allow-ips", metavar="IPS",
        help="addresses of reverse proxies whose X-Forwarded-For to believe (comma-separated); "
             "by default none, so no client can pick the address rate limits count by"),
    log_format: LogFormat = typer.Option(LogFormat.text, "--log-format",
                                         help="one line per request: text or json"),
) -> None:
    """Serve the web interface (public notice board, objections, staff pages, /api) on the
    same database and flows as the command line. Session cookies are signed with the
    installation key ($AWARD_SECRET, else the key file $AWARD_KEY_FILE, by default
    ~/.config/award/secret.key, made on first use); the database keeps only hashes of session
    tokens."""
    import gc

    import uvicorn

    from workflow.web import create_app

    st = state(ctx)
    st.settings().require_database()
    web_app = create_app(st.service(), secure_cookies=secure_cookies)
    st.out.progress(f"serving on http://{host}:{port}/ (Ctrl+C to stop)")
    proxies = ",".join(p.strip() for p in forwarded_allow_ips.split(",") if p.strip())
    configure_logs(log_format.value)
    # What start-up built (modules, flows, templates, the app) lives as long as the process:
    # kept out of the collector's reach, a full collection walks only what requests made
    # since, a pause of a few milliseconds instead of tens that every request in flight waits
    gc.collect()
    gc.freeze()
    # uvicorn's access log would write client addresses and query strings: the app writes
    # its own line per request (route template, status, time)
    uvicorn.run(web_app, host=host, port=port, log_level="info", server_header=False,
                proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
                access_log=False)


@command(app, "passwd")
def passwd(
    ctx: typer.Context,
    login: str = typer.Argument(..., metavar="LOGIN", help="a person of the directory"),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="read the password from the first line of "
                                        "standard input instead of prompting"),
) -> None:
    """Set the password a person signs in to the web interface with (stored as an argon2
    hash; at least 8 characters)."""
    st = state(ctx)
    st.settings().require_database()
    service = st.service()
    if service.accounts.person(login) is None:
        raise NotFound(f"no person {login!r} in the directory", person=login)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(f"New password for {login}", hide_input=True,
                                confirmation_prompt=True, err=True)
    result = service.accounts.set_password(login, password)
    st.out.emit(result, lambda r: st.out.line(f"password set for {r['login']}"))
