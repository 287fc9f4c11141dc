"""The single DynamoDB table: its item layout (items.py) and one store per port."""
