"""The agent desk: views, detail, actions, replies, canned answers, quarantine, agents."""
