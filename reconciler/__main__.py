"""`python -m reconciler`: the console script, with a Ctrl-C even between importing it and running it caught."""

try:
    from reconciler.entry import run

    run()
except KeyboardInterrupt:
    from reconciler.entry import interrupted_before_starting

    interrupted_before_starting()
