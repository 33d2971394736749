"""``grade serve``: the course's web service where students check and hand in answers.

Pages are rendered on the server (jinja2, autoescaped); every check calls the same
grading functions as ``grade`` and ``grade check`` (:mod:`grader.grading`), and no key
value of a part whose rubric says ``reveal: false`` leaves the server
(:mod:`grader.web.keyguard`). Storage is SQLAlchemy with Alembic migrations: SQLite in the
course folder by default, PostgreSQL for several server processes.
"""
