"""``grade serve COURSE_DIR``, ``grade serve tokens COURSE_DIR`` and ``grade serve ta
COURSE_DIR NAME``: argument parsing and printing only; the work is in :mod:`grader.web`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from grader.rubric import RubricError
from grader.web.course import CourseError, load_course
from grader.web.db import make_engine, migrate, sessions, sqlite_url

EXIT_OK, EXIT_USAGE = 0, 2


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: an SQLite file in COURSE_DIR/.dlgrade-serve/; "
        "postgresql://user@host/name for several server processes)",
    )


def serve_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade serve",
        description="Serve a course: students sign in with their personal code, check "
        "answers part by part (the key stays on the server) and hand in. "
        "'grade serve tokens COURSE_DIR' issues the codes.",
    )
    p.add_argument("course", type=Path, metavar="COURSE_DIR", help="the class folder (hw2/, …)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes sharing the port and the database (default 1; about one "
        "per core: each runs the Python code of its requests on one core at a time)",
    )
    _db_arg(p)
    p.add_argument(
        "--sandbox",
        choices=("auto", "required", "none"),
        default="auto",
        help="bubblewrap sandbox for uploaded notebooks, as for 'grade' (default auto)",
    )
    p.add_argument(
        "--no-notebooks",
        action="store_true",
        help="run no notebook worker in this process (another process runs the queue)",
    )
    p.add_argument(
        "--secure-cookies",
        action="store_true",
        help="mark cookies Secure (the service is reached through HTTPS)",
    )
    p.add_argument(
        "--proxy",
        metavar="ADDRESS",
        help="trust X-Forwarded-For/-Proto from this reverse proxy address (e.g. 127.0.0.1)",
    )
    return p


def tokens_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade serve tokens",
        description="Give each student of the roster a personal sign-in code and link; "
        "writes them to a CSV for the TA (the database keeps only their hashes).",
    )
    p.add_argument("course", type=Path, metavar="COURSE_DIR")
    p.add_argument(
        "--roster",
        type=Path,
        help="CSV with a 'student' column (optional 'name', 'lang'); default: the "
        "students with a folder in the class folders",
    )
    p.add_argument("--out", type=Path, required=True, help="the CSV of codes to write")
    p.add_argument(
        "--base-url",
        default="http://127.0.0.1:8000",
        help="the service's address, for the personal links (default http://127.0.0.1:8000)",
    )
    p.add_argument(
        "--reissue", action="store_true", help="new codes for everyone (old codes stop working)"
    )
    _db_arg(p)
    return p


def cmd_tokens(args: argparse.Namespace) -> int:
    from grader.web.roster import class_roster, issue_codes, read_roster, write_codes

    course = load_course(args.course)
    engine = make_engine(args.db or sqlite_url(course.folder))
    migrate(engine)
    roster = read_roster(args.roster) if args.roster else class_roster(course)
    issued = issue_codes(sessions(engine), roster, args.base_url, args.reissue)
    write_codes(args.out, issued)
    new = sum(1 for row in issued if row.code)
    print(f"{new} new codes, {len(issued) - new} issued earlier; written to {args.out}")
    return EXIT_OK


def ta_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade serve ta",
        description="Create a TA account (or change its password) for the TA pages at /ta: "
        "grading by question, regrades, publishing. The password is stored only as an "
        "argon2id hash.",
    )
    p.add_argument("course", type=Path, metavar="COURSE_DIR")
    p.add_argument("name", help="the TA's sign-in name")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (else it is asked for)",
    )
    _db_arg(p)
    return p


def cmd_ta(args: argparse.Namespace) -> int:
    import getpass

    from grader.web.ta_auth import WeakPassword, set_password

    course = load_course(args.course)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for TA {args.name}: ")
    engine = make_engine(args.db or sqlite_url(course.folder))
    migrate(engine)
    try:
        with sessions(engine)() as db:
            set_password(db, args.name, password)
    except WeakPassword as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"TA {args.name} can sign in at /ta/signin")
    return EXIT_OK


#: How ``grade serve --workers N`` tells its worker processes what to serve.
WORKER_ENV = "DLGRADE_SERVE_WORKER"


def worker_app() -> object:
    """The ASGI application of one ``--workers`` process, built from :data:`WORKER_ENV`
    (uvicorn starts each worker from an import string, not from an object)."""
    from grader.web.app import create_app

    settings = json.loads(os.environ[WORKER_ENV])
    course = load_course(Path(settings["course"]))
    return create_app(
        course,
        make_engine(settings["db"]),
        notebooks=settings["notebooks"],
        sandbox=settings["sandbox"],
        secure_cookies=settings["secure_cookies"],
    )


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from grader.web.app import create_app

    if args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    course = load_course(args.course)
    db_url = args.db or sqlite_url(course.folder)
    engine = make_engine(db_url)
    migrate(engine)  # once, before any worker starts
    sandbox = "bwrap" if args.sandbox == "required" else args.sandbox
    options = {
        "host": args.host,
        "port": args.port,
        "proxy_headers": bool(args.proxy),
        "forwarded_allow_ips": args.proxy or None,
        "log_level": "warning",
        "timeout_graceful_shutdown": 10,
    }
    print(
        f"serving {course.folder} ({', '.join(course.rubrics)}) on http://{args.host}:{args.port}"
        + (f" with {args.workers} worker processes" if args.workers > 1 else "")
    )
    if args.workers > 1:
        engine.dispose()
        os.environ[WORKER_ENV] = json.dumps(
            {
                "course": str(course.folder),
                "db": db_url,
                "notebooks": not args.no_notebooks,
                "sandbox": sandbox,
                "secure_cookies": args.secure_cookies,
            }
        )
        uvicorn.run("grader.web.cli:worker_app", factory=True, workers=args.workers, **options)
        return EXIT_OK
    app = create_app(
        course,
        engine,
        notebooks=not args.no_notebooks,
        sandbox=sandbox,
        secure_cookies=args.secure_cookies,
    )
    uvicorn.run(app, **options)
    return EXIT_OK


def main(argv: Sequence[str]) -> int:
    """``grade serve …``; returns the exit status."""
    argv = list(argv)
    try:
        if argv and argv[0] == "tokens":
            return cmd_tokens(tokens_parser().parse_args(argv[1:]))
        if argv and argv[0] == "ta":
            return cmd_ta(ta_parser().parse_args(argv[1:]))
        return cmd_serve(serve_parser().parse_args(argv))
    except RubricError as exc:
        print("rubric error:\n  " + "\n  ".join(exc.problems), file=sys.stderr)
        return EXIT_USAGE
    except (CourseError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
