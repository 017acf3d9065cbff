"""SpaceONE custom widgets: the emulator's served contract and queries, hostile answers, and the kind's reconcile."""
