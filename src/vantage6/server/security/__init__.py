"""Authentication and authorization: hashing, rules, default roles, principals."""
