"""The instructor's rubric: schema, loading, and the computed key behind every part.

Loading a rubric validates it against the schema, runs every solver once (a dry run, so a
wrong parameter is caught before any student is graded) and resolves each part to its
expected value, tolerances and known misconceptions. Every problem found becomes one line
``file:line field: message``; all of them are reported together in a :class:`RubricError`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import sympy
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from grader import variants
from grader.checks import CHECKS
from grader.runner.base import Limits
from grader.tolerance import same_within
from grader.yamlio import Loaded, PathKey, YamlError, format_path, load
from reference import ParamError, Solution, exact, get_solver
from reference.messages import msg

Lang = Literal["en", "fa"]
ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"


class RubricError(ValueError):
    """A rubric that cannot be used; ``problems`` are ``file:line field: message`` lines."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _text(value: Any) -> dict[str, str]:
    """A label given as a plain string or as ``{en: ..., fa: ...}``."""
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict) and value and all(k in ("en", "fa") for k in value):
        return {k: str(v) for k, v in value.items()}
    raise ValueError("must be a string or a mapping with keys en and/or fa")


def _fraction(value: Any) -> sympy.Rational:
    """A share of a part's points: a number in [0, 1]."""
    number = _number(value)
    if not 0 <= number <= 1:
        raise ValueError(f"must be a fraction of the points in [0, 1], got {value!r}")
    return number


def _credit(value: Any) -> dict[str, sympy.Rational]:
    """``{misconception_id: fraction}``: partial credit for a recognised mistake."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        # pydantic reports a ValueError as a rubric problem (a TypeError would escape it)
        raise ValueError("must map misconception ids to fractions of the points")  # noqa: TRY004
    return {str(k): _fraction(v) for k, v in value.items()}


def _number(value: Any) -> sympy.Rational:
    if isinstance(value, bool) or value is None:
        raise ValueError("must be a number")
    try:
        return exact(value)
    except ValueError:
        raise ValueError(f"must be a number, got {value!r}") from None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)


class Defaults(_Model):
    """Settings every part inherits unless it overrides them."""

    rtol: Any = sympy.Rational(1, 100)
    atol: Any = sympy.Rational(1, 1000)
    reveal: bool = True
    show_solution: bool = False
    #: Fraction of a part's points that an answer consistent with the student's own wrong
    #: earlier answer earns (error carried forward; a part opts in with ``follows``).
    carried_forward: Any = sympy.Integer(1)

    @field_validator("rtol", "atol", mode="before")
    @classmethod
    def _tolerance(cls, v: Any) -> sympy.Rational:
        value = _number(v)
        if value < 0:
            raise ValueError("must be >= 0")
        return value

    @field_validator("carried_forward", mode="before")
    @classmethod
    def _fraction(cls, v: Any) -> sympy.Rational:
        return _fraction(v)


class LimitsModel(_Model):
    """Per-notebook limits; the command line may override them."""

    cell_timeout: float = Field(30.0, gt=0)
    notebook_timeout: float = Field(120.0, gt=0)
    memory_mb: int = Field(2048, gt=0)
    max_processes: int = Field(64, gt=0)
    max_output_bytes: int = Field(1_000_000, gt=0)
    disk_mb: int = Field(512, gt=0)

    @field_validator("cell_timeout", "notebook_timeout", mode="before")
    @classmethod
    def _seconds(cls, v: Any) -> float:
        return float(_number(v))


class RubricItem(_Model):
    """One line of a written part's grading rubric: what a TA ticks for an answer, and
    the points it gives (negative for a deduction). The TA may edit it in ``grade serve``."""

    id: str = Field(pattern=ID_PATTERN)
    points: Any
    text: dict[str, str]

    @field_validator("text", mode="before")
    @classmethod
    def _text(cls, v: Any) -> dict[str, str]:
        return _text(v)

    @field_validator("points", mode="before")
    @classmethod
    def _points(cls, v: Any) -> sympy.Rational:
        value = _number(v)
        if value == 0:
            raise ValueError("must not be 0")
        return value


class Part(_Model):
    """One scored answer: ``expect`` names a solver value, ``answer`` gives it literally;
    a ``written`` part has neither: a TA grades it with its rubric ``items``."""

    id: str = Field(pattern=ID_PATTERN)
    points: Any
    check: str
    expect: str | None = None
    answer: Any = None
    title: dict[str, str] | None = None
    variable: str | None = Field(None, pattern=ID_PATTERN)
    rtol: Any = None
    atol: Any = None
    #: Correct within half a unit of the key's n-th significant figure (replaces rtol/atol).
    sigfigs: int | None = Field(None, ge=1, le=50)
    #: More right answers for this part alone, as literal values (e.g. ``[relu, gelu]``).
    accept: list[Any] = Field(default_factory=list)
    reveal: bool | None = None
    show_solution: bool | None = None
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    #: An earlier part (``part`` or ``question.part``) whose value this part is computed
    #: from: a wrong earlier answer is carried forward (see :mod:`grader.carry`).
    follows: str | None = None
    carried_forward: Any = None
    credit: dict[str, Any] = Field(default_factory=dict)
    #: A written part's rubric items, and concepts a good answer names (for the TA only).
    items: list[RubricItem] = Field(default_factory=list)
    hints: list[dict[str, str]] = Field(default_factory=list)

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, v: Any) -> dict[str, str] | None:
        return None if v is None else _text(v)

    @field_validator("hints", mode="before")
    @classmethod
    def _hints(cls, v: Any) -> list[dict[str, str]]:
        if not isinstance(v, list):
            raise ValueError("must be a list of texts")  # noqa: TRY004 (pydantic reports it)
        return [_text(h) for h in v]

    @field_validator("carried_forward", mode="before")
    @classmethod
    def _carried(cls, v: Any) -> sympy.Rational | None:
        return None if v is None else _fraction(v)

    @field_validator("credit", mode="before")
    @classmethod
    def _credit(cls, v: Any) -> dict[str, sympy.Rational]:
        return _credit(v)

    @field_validator("check")
    @classmethod
    def _check(cls, v: str) -> str:
        if v not in CHECKS:
            raise ValueError(f"unknown check {v!r}; known: {', '.join(CHECKS)}")
        return v

    @field_validator("points", mode="before")
    @classmethod
    def _points(cls, v: Any) -> sympy.Rational:
        value = _number(v)
        if value <= 0:
            raise ValueError("must be > 0")
        return value

    @field_validator("rtol", "atol", mode="before")
    @classmethod
    def _tolerance(cls, v: Any) -> sympy.Rational | None:
        if v is None:
            return None
        value = _number(v)
        if value < 0:
            raise ValueError("must be >= 0")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Part:
        if self.check == "written":
            if self.expect is not None or self.answer is not None:
                raise ValueError("a 'written' part has no 'expect' or 'answer': a TA grades it")
            if not self.items:
                raise ValueError("a 'written' part needs rubric 'items' for the TA to tick")
            ids = [i.id for i in self.items]
            if len(set(ids)) != len(ids):
                raise ValueError("rubric item ids must differ within a part")
            return self
        if self.items or self.hints:
            raise ValueError("only a 'written' part has rubric 'items' and 'hints'")
        if self.sigfigs is not None and (self.rtol is not None or self.atol is not None):
            raise ValueError("give 'sigfigs' or 'rtol'/'atol', not both: sigfigs sets the bound")
        if self.sigfigs is not None and self.check not in ("numeric", "matrix"):
            raise ValueError("'sigfigs' applies to 'numeric' and 'matrix' parts only")
        if (self.expect is None) == (self.answer is None):
            raise ValueError("give exactly one of 'expect' (a solver value) or 'answer'")
        return self


class Question(_Model):
    """A question: optionally a solver with its parameters, and its parts."""

    id: str = Field(pattern=ID_PATTERN)
    parts: list[Part] = Field(min_length=1)
    title: dict[str, str] | None = None
    solver: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    show_solution: bool | None = None
    #: Partial credit for a recognised mistake in any part of the question (a part's own
    #: ``credit`` wins for that part).
    credit: dict[str, Any] = Field(default_factory=dict)

    @field_validator("credit", mode="before")
    @classmethod
    def _credit(cls, v: Any) -> dict[str, sympy.Rational]:
        return _credit(v)

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, v: Any) -> dict[str, str] | None:
        return None if v is None else _text(v)


class RubricModel(_Model):
    """The whole rubric file."""

    assignment: str = Field(pattern=ID_PATTERN)
    questions: list[Question] = Field(min_length=1)
    title: dict[str, str] | None = None
    lang: Lang = "en"
    defaults: Defaults = Defaults()
    limits: LimitsModel = LimitsModel()
    preload: list[str] = Field(default_factory=lambda: ["numpy"])
    #: ``required``: grading this rubric's notebooks without a sandbox is an error.
    sandbox: Literal["auto", "required"] = "auto"
    #: The assignment's id in Canvas (the number in its URL, ``/assignments/123456``): the
    #: Canvas export heads its column ``Title (123456)`` so that Canvas's import matches it.
    canvas_assignment_id: int | None = Field(None, gt=0)
    #: ``grade serve``: checks a student may make of each part per hour, and when
    #: hand-ins close (an ISO date and time with its zone: ``2027-01-10T20:30:00+03:30``).
    #: The course's serve.yaml gives the defaults and may override them per assignment.
    checks_per_hour: int | None = Field(None, gt=0, strict=True)
    deadline: AwareDatetime | None = None

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, v: Any) -> dict[str, str] | None:
        return None if v is None else _text(v)


#: Why a rubric's ``accept`` value is right: the rubric says so.
ACCEPTED = msg("an accepted alternative answer")


@dataclass(frozen=True)
class KnownMistake:
    """A misconception as it applies to one part: its wrong value for that part."""

    id: str
    explanation: str
    value: Any


@dataclass(frozen=True)
class ResolvedPart:
    """A part with everything a checker needs: key, tolerances, known mistakes."""

    question: str
    part: str
    check: str
    points: sympy.Rational
    expected: Any
    rtol: sympy.Rational
    atol: sympy.Rational
    reveal: bool
    show_solution: bool
    variable: str
    mistakes: tuple[KnownMistake, ...] = ()
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    title: dict[str, str] | None = None
    #: The solver value this part asks for (None for a literal ``answer``).
    expect: str | None = None
    #: The answer id (``question.part``) of the earlier part this one is computed from.
    follows: str | None = None
    carried_forward: sympy.Rational = sympy.S.One
    #: Fraction of the points a recognised mistake earns, by misconception id.
    credit: dict[str, sympy.Rational] = field(default_factory=dict)
    #: A written part's rubric items and the TA's concept hints (empty for other kinds).
    items: tuple[RubricItem, ...] = ()
    hints: tuple[dict[str, str], ...] = ()
    #: Significant figures asked for: the bound is ½·10^(⌊log10|key|⌋ − n + 1), not rtol/atol.
    sigfigs: int | None = None
    #: Other right answers: a solver's equivalent designs (the parts one design covers are
    #: judged together, see :mod:`grader.designs`) and the rubric's own ``accept`` values.
    accept: tuple[KnownMistake, ...] = ()

    @property
    def id(self) -> str:
        """The id answers use: ``question.part``."""
        return f"{self.question}.{self.part}"


@dataclass(frozen=True)
class Rubric:
    """A validated rubric with its computed solutions and resolved parts."""

    model: RubricModel
    path: Path
    solutions: dict[str, Solution]
    parts: tuple[ResolvedPart, ...]
    digest: str
    #: Misconceptions that fall within a part's tolerance of the key: undetectable there.
    indistinct: tuple[str, ...] = ()
    #: The rubric as written, with its ``choose``/``range`` parameters (None: no variants).
    declared: RubricModel | None = None
    #: The drawn parameters of this rubric's variant, by question (empty for the base).
    variant: dict[str, dict[str, Any]] = field(default_factory=dict)
    loaded: Loaded | None = field(default=None, repr=False, compare=False)
    _by_student: dict[str, Rubric] = field(default_factory=dict, repr=False, compare=False)

    @property
    def assignment(self) -> str:
        return self.model.assignment

    @property
    def has_variants(self) -> bool:
        """Whether some question's parameters differ from student to student."""
        return self.declared is not None

    def for_student(self, student: str) -> Rubric:
        """The rubric of ``student``'s variant: every varying parameter drawn for them
        (:mod:`grader.variants`) and the key solved again; ``self`` when nothing varies.
        Raises :class:`RubricError` if that variant cannot be solved."""
        if self.declared is None:
            return self
        cached = self._by_student.get(student)
        if cached is None:
            drawn = {
                q.id: variants.draw(self.assignment, q.id, q.params, student)
                for q in self.declared.questions
            }
            cached = _solved(self, _with_params(self.declared, drawn), drawn)
            self._by_student[student] = cached
        return cached

    @property
    def max_score(self) -> sympy.Rational:
        return sum((p.points for p in self.parts), sympy.Integer(0))

    def limits(self) -> Limits:
        return Limits(**self.model.limits.model_dump())

    def title(self, lang: str = "en") -> str:
        title = self.model.title or {}
        return title.get(lang) or title.get("en") or self.assignment

    def part(self, answer_id: str) -> ResolvedPart:
        for p in self.parts:
            if p.id == answer_id:
                return p
        raise KeyError(answer_id)

    @cached_property
    def key_digest(self) -> str:
        """A digest of the computed key: every part's exact value, tolerances, points and
        known mistakes, and every solution's worked steps. A solver fix changes it even
        when the rubric file does not, so stored results graded by the old key go stale."""
        key = [
            [
                p.id,
                p.check,
                str(p.points),
                str(p.rtol),
                str(p.atol),
                p.reveal,
                repr(p.expected),
                [[m.id, str(m.explanation), repr(m.value)] for m in p.mistakes],
                [[i.id, str(i.points), i.text] for i in p.items],
                # Only where asked, so keys without sigfigs keep their digest.
                *([f"sigfigs={p.sigfigs}"] if p.sigfigs is not None else []),
                *([[[a.id, repr(a.value)] for a in p.accept]] if p.accept else []),
            ]
            for p in self.parts
        ]
        steps = {q: [str(s) for s in sol.steps] for q, sol in sorted(self.solutions.items())}
        text = json.dumps([key, steps], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _with_params(model: RubricModel, drawn: dict[str, dict[str, Any]]) -> RubricModel:
    """``model`` with each varying parameter replaced by its drawn value."""
    questions = [
        q.model_copy(update={"params": {**q.params, **drawn.get(q.id, {})}})
        for q in model.questions
    ]
    return model.model_copy(update={"questions": questions})


def _solved(base: Rubric, model: RubricModel, drawn: dict[str, dict[str, Any]]) -> Rubric:
    """A variant of ``base`` at the parameters of ``model``; raises :class:`RubricError`."""
    assert base.loaded is not None
    solutions, parts, problems, hidden = _resolve(model, base.loaded)
    if problems:
        raise RubricError(problems)
    return Rubric(
        model,
        base.path,
        solutions,
        tuple(parts),
        base.digest,
        tuple(hidden),
        declared=base.declared,
        variant=drawn,
        loaded=base.loaded,
    )


def _variant_problems(model: RubricModel, loaded: Loaded) -> list[str]:
    """Problems of a rubric's varying parameters: bad specs, and variants a solver refuses
    (every combination of a question is solved, or an even sample of them)."""
    problems: list[str] = []
    for qi, q in enumerate(model.questions):
        try:
            combos = list(variants.combinations(q.params))
        except ParamError as exc:
            path: PathKey = ("questions", qi, "params", exc.param.split(".")[0])
            problems.append(
                f"{loaded.source}:{loaded.line(path)} {format_path(path)}: {exc.message}"
            )
            continue
        if q.solver is None:
            path = ("questions", qi, "params")
            problems.append(
                f"{loaded.source}:{loaded.line(path)} {format_path(path)}: "
                "choices and ranges need the question to name a solver"
            )
            continue
        for combo in combos[1:]:  # the first one is the rubric's base key, solved already
            try:
                get_solver(q.solver)(**{**q.params, **combo})
            except (ParamError, ValueError, TypeError, ZeroDivisionError) as exc:
                name = exc.param if isinstance(exc, ParamError) else next(iter(combo))
                path = ("questions", qi, "params", name.split("[")[0].split(".")[0])
                shown = ", ".join(f"{k}={v}" for k, v in combo.items())
                reason = exc.message if isinstance(exc, ParamError) else str(exc)
                problems.append(
                    f"{loaded.source}:{loaded.line(path)} {format_path(path)}: "
                    f"the variant {shown} cannot be solved: {reason}"
                )
                break
    return problems


def _pydantic_problems(exc: ValidationError, loaded: Loaded) -> list[str]:
    problems = []
    for err in exc.errors():
        loc: PathKey = tuple(x for x in err["loc"] if not (isinstance(x, str) and "[" in x))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        line = loaded.line(loc)
        problems.append(f"{loaded.source}:{line} {format_path(loc)}: {msg}")
    return problems


def _resolve(
    model: RubricModel, loaded: Loaded
) -> tuple[dict[str, Solution], list[ResolvedPart], list[str], list[str]]:
    """Run the solvers and resolve every part: (solutions, parts, problems, indistinct)."""
    problems: list[str] = []
    hidden: list[str] = []
    solutions: dict[str, Solution] = {}
    parts: list[ResolvedPart] = []
    seen_questions: set[str] = set()

    def problem(path: PathKey, message: str) -> None:
        problems.append(f"{loaded.source}:{loaded.line(path)} {format_path(path)}: {message}")

    for qi, q in enumerate(model.questions):
        qpath: PathKey = ("questions", qi)
        if q.id in seen_questions:
            problem((*qpath, "id"), f"duplicate question id {q.id!r}")
        seen_questions.add(q.id)
        solution = None
        if q.solver is not None:
            try:
                spec = get_solver(q.solver)
                solution = spec(**q.params)
                solutions[q.id] = solution
            except KeyError as exc:
                problem((*qpath, "solver"), str(exc.args[0]))
            except ParamError as exc:
                # "weights.exp1[2]" names the nested parameter weights: {exp1: [...]}
                problem((*qpath, "params", *exc.param.split("[")[0].split(".")), exc.message)
            except (ValueError, TypeError, ZeroDivisionError) as exc:
                problem((*qpath, "params"), f"solver {q.solver} failed: {exc}")
        seen_parts: dict[str, Part] = {}
        for pi, p in enumerate(q.parts):
            ppath: PathKey = (*qpath, "parts", pi)
            if p.id in seen_parts:
                problem((*ppath, "id"), f"duplicate part id {p.id!r} in question {q.id}")
            follows = _follows(q, p, seen_parts, (*ppath, "follows"), problem)
            seen_parts[p.id] = p
            mistakes: list[KnownMistake] = []
            accept: list[KnownMistake] = []
            if p.expect is not None:
                if q.solver is None:
                    problem((*ppath, "expect"), "'expect' needs the question to name a solver")
                    continue
                if solution is None:
                    continue
                if p.expect not in solution.values:
                    known = ", ".join(sorted(solution.values))
                    problem(
                        (*ppath, "expect"), f"{q.solver} has no value {p.expect!r}; it has: {known}"
                    )
                    continue
                expected = solution.values[p.expect]
                rtol = p.rtol if p.rtol is not None else model.defaults.rtol
                atol = p.atol if p.atol is not None else model.defaults.atol
                mistakes = []
                for m in solution.misconceptions:
                    if p.expect not in m.values:
                        continue
                    if same_within(m.values[p.expect], expected, rtol, atol, p.sigfigs):
                        # A student holding it would be marked right here: say so, once.
                        hidden.append(f"{q.id}.{p.id}: {m.id} is within tolerance of the key")
                        continue
                    mistakes.append(KnownMistake(m.id, m.explanation, m.values[p.expect]))
                accept.extend(
                    KnownMistake(e.id, e.explanation, e.values[p.expect])
                    for e in solution.equivalents
                    if p.expect in e.values
                )
            else:
                expected = p.answer
            kind = CHECKS[p.check]
            kind_problem = kind.key_problem(expected)
            if kind_problem:
                problem((*ppath, "check"), kind_problem)
                continue
            expected = kind.prepare_key(expected)
            for ai, value in enumerate(p.accept):
                bad = kind.key_problem(value)
                if bad:
                    problem((*ppath, "accept", ai), bad)
                    continue
                accept.append(KnownMistake(f"{p.id}.accept{ai}", ACCEPTED, kind.prepare_key(value)))
            show = p.show_solution
            if show is None:
                show = (
                    q.show_solution if q.show_solution is not None else model.defaults.show_solution
                )
            parts.append(
                ResolvedPart(
                    question=q.id,
                    part=p.id,
                    check=p.check,
                    points=p.points,
                    expected=expected,
                    rtol=p.rtol if p.rtol is not None else model.defaults.rtol,
                    atol=p.atol if p.atol is not None else model.defaults.atol,
                    reveal=p.reveal if p.reveal is not None else model.defaults.reveal,
                    show_solution=show,
                    variable=p.variable or f"{q.id}_{p.id}",
                    mistakes=tuple(mistakes),
                    synonyms=dict(p.synonyms),
                    title=p.title,
                    expect=p.expect,
                    follows=follows,
                    carried_forward=(
                        p.carried_forward
                        if p.carried_forward is not None
                        else model.defaults.carried_forward
                    ),
                    credit={**q.credit, **p.credit},
                    items=tuple(p.items),
                    hints=tuple(p.hints),
                    sigfigs=p.sigfigs,
                    accept=tuple(accept),
                )
            )
    return solutions, parts, problems, hidden


def _follows(
    q: Question, p: Part, earlier: dict[str, Part], path: PathKey, problem: Any
) -> str | None:
    """The answer id of the part ``p`` follows, after checking that error carried forward
    can work: an earlier numeric part of the same question whose value is a parameter of
    the solver (so the solver can recompute this part from a student's own value)."""
    if p.follows is None:
        return None
    qid, _, pid = p.follows.rpartition(".")
    if qid not in ("", q.id):
        problem(path, f"follows {p.follows!r}: only a part of the same question can be followed")
        return None
    target = earlier.get(pid)
    if target is None:
        problem(path, f"follows {p.follows!r}: no earlier part {pid!r} in question {q.id}")
        return None
    if p.expect is None or target.expect is None or q.solver is None:
        problem(path, "follows needs both parts to 'expect' values of the question's solver")
        return None
    if target.check != "numeric":
        problem(path, f"follows {p.follows!r}: the followed part must be a 'numeric' part")
        return None
    try:
        params = get_solver(q.solver).params
    except KeyError:
        return None  # reported at the question's solver
    if target.expect not in params:
        problem(
            path,
            f"follows {p.follows!r}: {q.solver} takes no parameter {target.expect!r}, so it "
            "cannot recompute this part from a student's value",
        )
        return None
    return f"{q.id}.{pid}"


def parse_rubric(loaded: Loaded, path: Path) -> Rubric:
    """Validate parsed YAML as a rubric and compute its key; raises :class:`RubricError`."""
    if not isinstance(loaded.data, dict):
        raise RubricError(
            [f"{loaded.source}:1: a rubric must be a mapping with 'assignment' and 'questions'"]
        )
    try:
        model = RubricModel.model_validate(loaded.data)
    except ValidationError as exc:
        raise RubricError(_pydantic_problems(exc, loaded)) from None
    declared = None
    if any(variants.is_spec(v) for q in model.questions for v in q.params.values()):
        problems = _variant_problems(model, loaded)
        if problems:
            raise RubricError(problems)
        declared = model
        model = _with_params(model, {q.id: variants.first(q.params) for q in model.questions})
    solutions, parts, problems, hidden = _resolve(model, loaded)
    if problems:
        raise RubricError(problems)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else ""
    return Rubric(
        model,
        Path(path),
        solutions,
        tuple(parts),
        digest,
        tuple(hidden),
        declared=declared,
        loaded=loaded,
    )


def load_rubric(path: Path) -> Rubric:
    """Read, validate and solve the rubric at ``path``; raises :class:`RubricError`."""
    try:
        loaded = load(path)
    except YamlError as exc:
        raise RubricError([str(exc)]) from None
    return parse_rubric(loaded, Path(path))


def find_rubric(name_or_path: str, search: list[Path] | None = None) -> Path:
    """A rubric file from a path or a name (``hw2`` → ``rubrics/hw2.yaml``).

    Names are looked up in ``rubrics/`` under each folder of ``search`` (default: the
    current folder). Raises :class:`RubricError` listing where it looked.
    """
    direct = Path(name_or_path)
    if direct.is_file():
        return direct
    looked = []
    for base in search or [Path.cwd()]:
        for candidate in (
            base / "rubrics" / f"{name_or_path}.yaml",
            base / "rubrics" / f"{name_or_path}.yml",
        ):
            if candidate.is_file():
                return candidate
            looked.append(str(candidate))
    raise RubricError(
        [f"rubric {name_or_path!r} not found (looked at {', '.join(looked) or direct})"]
    )
