"""Staff override a case's band, with a reason; the decision is kept and published."""
