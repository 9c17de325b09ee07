"""Pieces both sandboxes share: fault injection, request counters, the admin API, serving."""
