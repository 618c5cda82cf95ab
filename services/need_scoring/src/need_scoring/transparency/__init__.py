"""The Algorithmic Transparency Recording Standard record, generated from the live
policy and configuration, so it cannot drift from what the service does."""
