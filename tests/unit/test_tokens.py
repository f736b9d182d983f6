"""Bearer tokens: random, recognisable, stored as a SHA-256 digest, compared in constant time.

RFC 6750 §5.2 asks for tokens that cannot be guessed; RFC 6819 §5.1.4.1.3 for
credentials not stored in clear. ``hmac.compare_digest`` avoids leaking a
match position through timing.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django_scim import tokens


def test_generated_tokens_are_prefixed():
    """The ``scim_`` prefix lets secret scanners recognise a leaked token."""
    assert tokens.generate().startswith("scim_")


def test_generated_tokens_are_random():
    """RFC 6750 §5.2: tokens must not be guessable; 50 draws never repeat."""
    generated = {tokens.generate() for _ in range(50)}
    assert len(generated) == 50


def test_generated_token_carries_256_bits():
    """32 random bytes, URL-safe base64: 43 characters after the prefix, no padding."""
    token = tokens.generate()
    body = token[len("scim_") :]
    assert len(body) == 43
    assert re.fullmatch(r"[A-Za-z0-9_\-]{43}", body)


def test_generated_token_is_long_enough_for_the_minimum():
    """Generated tokens satisfy the minimum the command enforces on given ones."""
    assert len(tokens.generate()) >= tokens.MIN_TOKEN_LENGTH


def test_digest_is_hex_sha256():
    """The stored form is the SHA-256 hex digest (64 lowercase hex characters)."""
    raw = "scim_example-token-0123456789"
    assert tokens.digest(raw) == hashlib.sha256(raw.encode("utf-8")).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", tokens.digest(raw))


def test_digest_is_stable():
    """The same token always has the same digest, so lookup by digest works."""
    assert tokens.digest("scim_same") == tokens.digest("scim_same")


def test_digest_differs_for_different_tokens():
    """Different tokens have different digests."""
    assert tokens.digest("scim_one-token") != tokens.digest("scim_two-token")


def test_digest_of_non_ascii_token_is_utf8_based():
    """A token is hashed as UTF-8 bytes."""
    assert tokens.digest("scim_é") == hashlib.sha256("scim_é".encode()).hexdigest()


def test_matches_true_for_its_own_digest():
    """A token matches the digest made from it."""
    raw = tokens.generate()
    assert tokens.matches(raw, tokens.digest(raw)) is True


def test_matches_false_for_another_token():
    """A different token does not match."""
    assert tokens.matches(tokens.generate(), tokens.digest(tokens.generate())) is False


def test_matches_false_for_a_case_changed_token():
    """RFC 6750 §2.1: tokens are case-sensitive."""
    raw = "scim_MixedCase-token-0123"
    assert tokens.matches(raw.lower(), tokens.digest(raw)) is False


def test_matches_compares_in_constant_time(monkeypatch):
    """The comparison is ``hmac.compare_digest``, not ``==``."""
    calls = []
    original = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    raw = "scim_example-token-0123456789"
    assert tokens.matches(raw, tokens.digest(raw)) is True
    assert calls == [(tokens.digest(raw), tokens.digest(raw))]


def test_display_prefix_is_the_first_twelve_characters():
    """The prefix kept in clear (for telling tokens apart) is 12 characters."""
    assert tokens.display_prefix("scim_abcdefghijklmnop") == "scim_abcdefg"
    assert len(tokens.display_prefix(tokens.generate())) == tokens.PREFIX_LENGTH == 12
