"""What reports count: facts taken when a ticket changes, and the histograms of durations."""
