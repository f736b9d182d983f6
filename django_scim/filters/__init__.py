"""The SCIM filter language (RFC 7644 §3.4.2.2): lexer, parser, AST, SQL translation, evaluation.

Written here rather than borrowed: the grammar is small, error messages need
positions, and the AST must be shared by the database translator and the
in-memory evaluator (PATCH value paths) so both agree by construction.
"""
