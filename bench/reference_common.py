"""Helpers shared by the numpy reference loops (w1_reference.py, w2_reference.py, w3_reference.py)."""


def report_generations(generations):
    """Returns the generations to print: 0, 1, 10, 100, ... up to the last one, and the last one."""
    shown = [0]
    g = 1
    while g < generations:
        shown.append(g)
        g *= 10
    shown.append(generations)
    return shown
