"""The staff case page: one case's facts, its score factor by factor, its history,
notes and audit trail, earlier contacts from the same resident, the contact details
behind a stated purpose, and the actions staff take on it."""
