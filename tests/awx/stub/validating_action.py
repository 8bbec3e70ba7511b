"""Stand-in for one awx.awx module: validate the task's arguments against the real module's argument spec, record
them, and never contact a controller. Copied into a throw-away `awx.awx` collection under each module's name.

The spec directory and the record file come from AWX_STUB_SPECS and AWX_STUB_RECORD.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        module = self._task.action.split(".")[-1]
        spec = json.loads((Path(os.environ["AWX_STUB_SPECS"]) / f"{module}.json").read_text())
        params = json.loads(json.dumps(dict(self._task.args), default=str))
        validation = ArgumentSpecValidator(spec).validate(params)
        errors = [str(error) for error in validation.error_messages]
        record = {"module": module, "task": self._task.get_name(), "no_log": bool(self._task.no_log),
                  "params": params, "errors": errors}
        with open(os.environ["AWX_STUB_RECORD"], "a", encoding="utf-8") as stream:
            stream.write(json.dumps(record, sort_keys=True) + "\n")
        result.update(changed=False, failed=bool(errors), msg="; ".join(errors) or "validated")
        return result
