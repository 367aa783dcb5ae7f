"""Draft documents of a telework request (annexes 1, 2, 5) and of the manager's decision."""
