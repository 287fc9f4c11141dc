"""Use cases: they talk to ports (Protocols), never to boto3."""
