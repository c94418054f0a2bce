"""The label and review queues: the next sample for this user, reserved so nobody else gets it."""
