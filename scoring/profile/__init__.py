"""An office's 考评办法 as data (one folder under data/profiles/): the one way into it.

model.py holds what a profile is; load.py finds and caches a folder; read.py reads and checks a folder,
collecting every problem; rules.py reads the dated rule versions; units.py the unit list and
its dated groups; settings.py the Readings as named settings.
"""
from scoring.profile.load import (check_profile, default_dir, default_profile, load_profile, load_units_file,
                                  read_profile, reference, resolve)
from scoring.profile.model import (ADOPTION_MODES, DEFAULT_FILE, MEASURES, PROFILES_DIR, QUOTA_PERIODS, TIE_RULES,
                                   UNTRACKED, Group, LatePolicy, MergedPolicy, Office, Profile, ProfileError,
                                   QuotaPolicy, Tier, as_date)

__all__ = ["ADOPTION_MODES", "DEFAULT_FILE", "MEASURES", "PROFILES_DIR", "QUOTA_PERIODS", "TIE_RULES", "UNTRACKED",
           "Group", "LatePolicy", "MergedPolicy", "Office", "Profile", "ProfileError", "QuotaPolicy", "Tier",
           "as_date", "check_profile", "default_dir", "default_profile", "load_profile", "load_units_file",
           "read_profile", "reference", "resolve"]
