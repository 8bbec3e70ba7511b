"""AWX's rules for a survey spec: the checks of JobTemplateSurveySpec._validate_spec_data (awx/api/views) plus the
launch-time checks AWX applies to each answer (length or range, choices), applied here to the defaults."""

from __future__ import annotations

import keyword
from typing import Any

ALLOWED_TYPES: dict[str, type | tuple[type, ...]] = {
    "text": str,
    "textarea": str,
    "password": str,
    "multiplechoice": str,
    "multiselect": str,
    "integer": int,
    "float": (float, int),
}


def _choices(question: dict[str, Any]) -> list[str]:
    choices = question.get("choices", [])
    if isinstance(choices, str):
        return [choice for choice in choices.splitlines() if choice.strip()]
    return list(choices)


def _defaults(question: dict[str, Any]) -> list[Any]:
    default = question.get("default", "")
    if default == "":
        return []
    if isinstance(default, str) and question["type"] in ("multiplechoice", "multiselect"):
        return [line for line in default.splitlines() if line.strip()]
    return default if isinstance(default, list) else [default]


def _question_errors(index: int, question: Any) -> list[str]:
    where = f"question {index}"
    if not isinstance(question, dict):
        return [f"{where} is not a mapping"]
    errors = []
    for field, kind in (("type", str), ("question_name", str), ("variable", str), ("required", bool)):
        if not isinstance(question.get(field), kind):
            errors.append(f"{where}: '{field}' missing or not a {kind.__name__}")
    if errors:
        return errors
    qtype, variable = question["type"], question["variable"]
    where = f"question {index} ({variable})"
    if not variable.isidentifier() or keyword.iskeyword(variable):
        errors.append(f"{where}: variable is not a valid identifier")
    if qtype not in ALLOWED_TYPES:
        return [*errors, f"{where}: type {qtype!r} is not one of {sorted(ALLOWED_TYPES)}"]
    default = question.get("default", "")
    if default != "" and qtype not in ("multiselect",) and not isinstance(default, ALLOWED_TYPES[qtype]):
        errors.append(f"{where}: default {default!r} is not a {qtype}")
    if isinstance(default, bool):
        errors.append(f"{where}: default {default!r} is a boolean")
    if isinstance(default, str) and default.startswith("$encrypted$"):
        errors.append(f"{where}: $encrypted$ is reserved")
    for bound in ("min", "max"):
        value = question.get(bound)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            errors.append(f"{where}: {bound} is not an integer")
    low, high = question.get("min"), question.get("max")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        errors.append(f"{where}: min {low} is above max {high}")
    if isinstance(low, int) and low < 0:
        errors.append(f"{where}: min {low} is negative")
    if qtype in ("multiplechoice", "multiselect"):
        choices = _choices(question)
        if not choices:
            errors.append(f"{where}: {qtype} needs choices")
        if len(set(choices)) != len(choices):
            errors.append(f"{where}: duplicate choices")
        defaults = _defaults(question)
        if qtype == "multiplechoice" and len(defaults) > 1:
            errors.append(f"{where}: multiple choice takes one default")
        errors += [f"{where}: default {value!r} is not a choice" for value in defaults if value not in choices]
    if qtype in ("text", "textarea", "password") and isinstance(default, str) and default:
        if isinstance(low, int) and len(default) < low:
            errors.append(f"{where}: default is shorter than min {low}")
        if isinstance(high, int) and len(default) > high:
            errors.append(f"{where}: default is longer than max {high}")
    if qtype in ("integer", "float") and isinstance(default, (int, float)) and not isinstance(default, bool):
        if isinstance(low, int) and default < low:
            errors.append(f"{where}: default is below min {low}")
        if isinstance(high, int) and default > high:
            errors.append(f"{where}: default is above max {high}")
    if question["required"] and default == "" and qtype != "password":
        errors.append(f"{where}: required without a default, a job cannot run unattended from a workflow")
    return errors


def survey_errors(survey: Any) -> list[str]:
    """Everything AWX would refuse in this survey spec, or that would make its defaults unusable at launch."""
    if not isinstance(survey, dict):
        return ["survey spec is not a mapping"]
    errors = [f"'{field}' missing or not a {kind.__name__}" for field, kind in
              (("name", str), ("description", str), ("spec", list)) if not isinstance(survey.get(field), kind)]
    if errors:
        return errors
    if not survey["spec"]:
        return ["'spec' has no questions"]
    seen: set[str] = set()
    for index, question in enumerate(survey["spec"]):
        errors += _question_errors(index, question)
        variable = question.get("variable") if isinstance(question, dict) else None
        if variable in seen:
            errors.append(f"question {index}: variable {variable!r} is duplicated")
        if isinstance(variable, str):
            seen.add(variable)
    return errors


def survey_defaults(survey: dict[str, Any]) -> dict[str, Any]:
    """The extra vars a launch with every default accepted sends (multiselect answers are lists)."""
    answers: dict[str, Any] = {}
    for question in survey["spec"]:
        if question.get("default", "") == "":
            continue
        answers[question["variable"]] = (_defaults(question) if question["type"] == "multiselect"
                                         else question["default"])
    return answers
