"""Operator commands for a deployed stack (not part of the Lambda package)."""
