"""政务信息考评: the scoring domain (units, dated rules, import, store, engine, reports)."""
