"""What the deployed stage configures: memory per function, environment variable names."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
STAGE = "prod"
CHALICE_DEFAULT_MEMORY_MB = 128
# app.py's function names → their logical ids in infra/resources.yaml (merged over chalice's).
LOGICAL_IDS = {
    "inbound_email": "InboundEmail",
    "scheduled": "Scheduled",
    "api_handler": "APIHandler",
}


@cache
def _chalice_config(stage: str = STAGE) -> Any:
    from chalice.cli.factory import CLIFactory

    return CLIFactory(project_dir=str(REPO)).create_config_obj(chalice_stage_name=stage)


def stage_environment(stage: str) -> dict[str, str]:
    return {k: str(v) for k, v in _chalice_config(stage).environment_variables.items()}


@cache
def _infra_function(function: str) -> dict[str, Any]:
    from local.provision import load_template

    resource = load_template()["Resources"].get(LOGICAL_IDS.get(function, ""), {})
    return dict(resource.get("Properties", {}))


def memory_source(function: str) -> tuple[int, str]:
    """The memory size the package deploys, and where it is set (infra/ wins over chalice)."""
    declared = _infra_function(function).get("MemorySize")
    if declared:
        return int(declared), "infra/resources.yaml"
    scoped = _chalice_config().scope(STAGE, function).lambda_memory_size
    if scoped:
        return int(scoped), ".chalice/config.json"
    return CHALICE_DEFAULT_MEMORY_MB, "Chalice's default"


def memory_mb(function: str) -> int:
    return memory_source(function)[0]


def deployed_environment(function: str = "inbound_email") -> dict[str, str]:
    """The stage's environment variables; what CloudFormation resolves becomes a dummy value."""
    env = {
        k: str(v) for k, v in _chalice_config().scope(STAGE, function).environment_variables.items()
    }
    declared = _infra_function(function).get("Environment", {}).get("Variables", {})
    for name, value in declared.items():
        if isinstance(value, str):
            env[name] = value
        elif name.endswith("_ARN"):
            env[name] = f"arn:aws:lambda:us-east-1:000000000000:function:dummy-{name.lower()}"
        else:
            env[name] = f"dummy-{name.lower().replace('_', '-')}"
    return env | {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
