"""Faults and hostile servers: bounded answers, convergence under faults, interrupts, inert remote text, secrets."""
