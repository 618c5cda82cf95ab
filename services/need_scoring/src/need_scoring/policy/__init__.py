"""The scoring policy: a published, versioned data file, and the rules it must obey."""

from need_scoring.policy.loader import PolicyError, load_policy, parse_policy
from need_scoring.policy.schemas import Factor, NeedIndexWeights, Policy

__all__ = ["Factor", "NeedIndexWeights", "Policy", "PolicyError", "load_policy", "parse_policy"]
