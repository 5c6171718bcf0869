"""An office's 考评办法 as data (one folder under data/profiles/): the one way into it.

model.py holds what a profile is, constructs.py its rule constructs (tasks, conditions, measures,
the score); load.py finds and caches a folder; read.py (with read_policies.py, read_units.py,
fields.py and yamlio.py) reads and checks one, collecting every problem; rules.py reads the dated
rule versions, overrides.py a what-if's `CODE=POINTS`, and match.py matches a register row to an
item; formula.py parses the expressions; units.py the unit list and its dated groups; settings.py
the Readings as named settings.
"""
from scoring.profile.load import (check_profile, default_dir, default_profile, load_profile, load_units_file,
                                  read_profile, reference, resolve)
from scoring.profile.constructs import (PERIODS, Condition, Flag, LatePolicy, Measure, MergedPolicy, QuotaPolicy,
                                        Score, Target)
from scoring.profile.model import (ADOPTION_MODES, DEFAULT_FILE, MEASURES, PROFILES_DIR, TIE_RULES, Group, Office,
                                   Profile, ProfileError, Tier, as_date)

__all__ = ["ADOPTION_MODES", "DEFAULT_FILE", "MEASURES", "PERIODS", "PROFILES_DIR", "TIE_RULES",
           "Condition", "Flag", "Group", "LatePolicy", "Measure", "MergedPolicy", "Office", "Profile", "ProfileError",
           "QuotaPolicy", "Score", "Target", "Tier",
           "as_date", "check_profile", "default_dir", "default_profile", "load_profile", "load_units_file",
           "read_profile", "reference", "resolve"]
