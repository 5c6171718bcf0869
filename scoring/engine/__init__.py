"""The engine: stored events + units + rule versions -> scored events -> totals -> ranks.

`Engine` (core.py) fetches inputs from the store and composes the pure rule functions of
policies.py; periods.py names the periods, numbers.py writes numbers, commend.py proposes the
year's commendations, rematch.py re-matches stored events when the rule set changes.
"""
from scoring.engine.core import Engine, apply_points, points_table, rank_within_groups, ranking_for, rulebook_for, today_in

__all__ = ["Engine", "apply_points", "points_table", "rank_within_groups", "ranking_for", "rulebook_for", "today_in"]
