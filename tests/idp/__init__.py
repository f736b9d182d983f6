"""Replays of what identity providers really send, one documented request per test."""
