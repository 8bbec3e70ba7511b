"""Every survey is one AWX accepts, its defaults are usable, and it covers what the playbook's roles require."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template
from awx_support import ROOT, ConfigureRun
from playbook_facts import play_variables, required_options, role_calls
from survey_rules import survey_defaults, survey_errors

# AWX answer type -> role option types an answer of that type satisfies (text answers to list options are split on
# commas by the role's argument validation).
ANSWER_FITS = {
    "text": {"str", "raw", "path", "list"},
    "textarea": {"str", "raw", "path"},
    "password": {"str", "raw"},
    "multiplechoice": {"str", "raw"},
    "multiselect": {"list", "raw"},
    "integer": {"int", "raw", "float"},
    "float": {"float", "raw"},
}


def surveys(run: ConfigureRun) -> list[tuple[str, dict[str, Any]]]:
    found = [(params["name"], params["survey_spec"]) for module in ("job_template", "workflow_job_template")
             for params in run.params(module) if params.get("survey_enabled")]
    assert found, "no survey at all"
    return found


def test_every_survey_follows_awx_rules(configure_run: ConfigureRun) -> None:
    problems = {name: survey_errors(spec) for name, spec in surveys(configure_run)}
    assert {name: errors for name, errors in problems.items() if errors} == {}


@pytest.mark.parametrize(("spec", "complaint"), [
    ({"name": "x", "description": "", "spec": []}, "no questions"),
    ({"name": "x", "description": "", "spec": [{"type": "date", "question_name": "q", "variable": "v",
                                                "required": True, "default": "a"}]}, "not one of"),
    ({"name": "x", "description": "", "spec": [{"type": "text", "question_name": "q", "variable": "v",
                                                "required": True, "default": "a"},
                                               {"type": "text", "question_name": "r", "variable": "v",
                                                "required": True, "default": "b"}]}, "duplicated"),
    ({"name": "x", "description": "", "spec": [{"type": "multiplechoice", "question_name": "q", "variable": "v",
                                                "required": True, "choices": ["a"], "default": "b"}]},
     "not a choice"),
    ({"name": "x", "description": "", "spec": [{"type": "multiselect", "question_name": "q", "variable": "v",
                                                "required": True, "default": "a"}]}, "needs choices"),
    ({"name": "x", "description": "", "spec": [{"type": "integer", "question_name": "q", "variable": "v",
                                                "required": True, "default": 5, "min": 6, "max": 9}]},
     "below min"),
    ({"name": "x", "description": "", "spec": [{"type": "text", "question_name": "q", "variable": "a-b",
                                                "required": True, "default": "x"}]}, "identifier"),
    ({"name": "x", "description": "", "spec": [{"type": "text", "question_name": "q", "variable": "v",
                                                "required": "yes", "default": "x"}]}, "'required'"),
    ({"name": "x", "description": "", "spec": [{"type": "text", "question_name": "q", "variable": "v",
                                                "required": True, "default": "x", "min": 3, "max": 2}]},
     "above max"),
])
def test_survey_rules_catch_what_awx_refuses(spec: dict[str, Any], complaint: str) -> None:
    assert any(complaint in error for error in survey_errors(spec))


def test_every_template_asks_for_the_region(configure_run: ConfigureRun, job_templates: list[dict[str, Any]]) -> None:
    for template in job_templates:
        questions = {q["variable"]: q for q in template["survey_spec"]["spec"]}
        region = [q for name, q in questions.items() if name.endswith("region")]
        assert len(region) == 1 and region[0]["required"], template["name"]
        assert region[0]["type"] == "multiplechoice" and "ap-northeast-1" in region[0]["choices"]


def test_surveys_cover_required_role_options(job_templates: list[dict[str, Any]]) -> None:
    """Each required option of each role the playbook runs is a survey question, a template extra var, or set by
    the playbook around the role call (play vars, block/task vars, role params)."""
    uncovered = {}
    for template in job_templates:
        playbook = ROOT / template["playbook"]
        given = {q["variable"] for q in template["survey_spec"]["spec"]} | set(template.get("extra_vars") or {})
        for call in role_calls(playbook):
            missing = required_options(ROOT / "roles", call.role, call.entry_point) - given - call.settings
            if missing:
                uncovered[f"{template['name']}: {call.role}"] = sorted(missing)
        assert role_calls(playbook), f"{template['playbook']} runs no role"
    assert uncovered == {}


def test_answers_fit_the_variables_they_feed(job_templates: list[dict[str, Any]]) -> None:
    """A survey variable that is itself a role option must have a compatible type."""
    options: dict[str, str] = {}
    for specs_file in (ROOT / "roles").glob("*/meta/argument_specs.yml"):
        for entry in yaml.safe_load(specs_file.read_text())["argument_specs"].values():
            for name, option in (entry.get("options") or {}).items():
                options[name] = option.get("type", "str")
    misfits = [(t["name"], q["variable"], q["type"], options[q["variable"]]) for t in job_templates
               for q in t["survey_spec"]["spec"]
               if q["variable"] in options and options[q["variable"]] not in ANSWER_FITS[q["type"]]]
    assert misfits == []


def test_list_variables_are_not_fed_raw_text(job_templates: list[dict[str, Any]]) -> None:
    """Playbook variables holding lists get lists: text answers go through the template's extra_vars."""
    for template in job_templates:
        play_vars = play_variables(ROOT / template["playbook"])
        for question in template["survey_spec"]["spec"]:
            if isinstance(play_vars.get(question["variable"]), list):
                assert question["type"] == "multiselect", (template["name"], question["variable"])


def test_every_question_feeds_the_playbook(job_templates: list[dict[str, Any]]) -> None:
    """A survey variable that nothing reads would be a silent no-op: each one is a play variable of the playbook,
    an option of a role it runs, or read by the template's extra_vars."""
    role_options: dict[str, set[str]] = {}
    for specs_file in (ROOT / "roles").glob("*/meta/argument_specs.yml"):
        entries = yaml.safe_load(specs_file.read_text())["argument_specs"].values()
        role_options[specs_file.parent.parent.name] = {n for e in entries for n in (e.get("options") or {})}
    unused = []
    for template in job_templates:
        playbook = ROOT / template["playbook"]
        readers = set(play_variables(playbook))
        readers |= {option for call in role_calls(playbook) for option in role_options.get(call.role, set())}
        extra_text = yaml.safe_dump(template.get("extra_vars") or {})
        unused += [(template["name"], q["variable"]) for q in template["survey_spec"]["spec"]
                   if q["variable"] not in readers and q["variable"] not in extra_text]
    assert unused == []


def resolve_extra_vars(template: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """What the job sees: the template's extra_vars templated with the survey answers, as ansible-playbook does."""
    templar = Templar(loader=DataLoader(), variables=answers)
    return {key: templar.template(trust_as_template(value)) if isinstance(value, str) else value
            for key, value in (template.get("extra_vars") or {}).items()}


def test_extra_vars_give_each_playbook_variable_its_type(job_templates: list[dict[str, Any]]) -> None:
    """With the default answers (and a two-network admin answer), every extra var the template maps onto a play
    variable resolves to that variable's type: lists stay lists, strings strings."""
    for template in job_templates:
        answers = survey_defaults(template["survey_spec"])
        if "privnet_admin_cidrs" in answers:
            answers["privnet_admin_cidrs"] = "10.0.0.0/8, 192.168.0.0/16"
        play_vars = play_variables(ROOT / template["playbook"])
        for key, value in resolve_extra_vars(template, answers).items():
            if key in play_vars:
                assert type(value) is type(play_vars[key]), (template["name"], key, value)
            if key.endswith("_admin_cidrs"):
                assert value == ["10.0.0.0/8", "192.168.0.0/16"]
            if key.endswith("_region"):
                assert value == answers["privnet_region"]
