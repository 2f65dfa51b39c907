"""Security controls that are not a feature of their own screen (issue 9).

- :mod:`.middleware`: session idle timeout and absolute lifetime; two-factor enforcement.
- :mod:`.signals`: audit events for lockouts; the session start time at login.
- :mod:`.twofactor`: TOTP enrolment, verification and recovery codes (django-otp).
- :mod:`.lockouts`: who is locked out (django-axes) and lifting a lockout.

The reasons and the threat model are in ``docs/security.md``.
"""
