"""The plan for people: a terminal view and a pull-request comment. JSON lives in plan_file."""
