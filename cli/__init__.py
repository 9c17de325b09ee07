"""The operator CLI behind `starter.py`: one module per group of commands.

Each module exposes `register(subparsers)`, adding its commands with a `handler` default: an
async function of the parsed arguments that returns the exit code.
"""
