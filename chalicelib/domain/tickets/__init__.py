"""The ticket: its model, the changes agents and customers make, routing to queues."""
