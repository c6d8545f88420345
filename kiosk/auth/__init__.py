"""Citizen OTP and staff sign-in (PIN + TOTP)."""
