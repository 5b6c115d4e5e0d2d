"""Authorization references prove themselves: for one token, for 12 hours."""

from datetime import timedelta

from evroam.tokens.authorization import VALID_FOR, AuthorizationReferences
from tests.builders import EPOCH
from tests.fakes import FixedClock

KEY = b"k" * 32


def test_a_reference_is_a_session_ref_for_the_token_it_was_issued_for():
    references = AuthorizationReferences(KEY, FixedClock(EPOCH))
    ref = references.issue("04A2B3C4D5E6F7")
    assert len(ref) == 18
    assert ref.isalnum()
    assert ref.upper() == ref
    assert references.is_issued_for(ref, "04A2B3C4D5E6F7")
    assert references.is_issued_for(ref, "04a2b3c4d5e6f7")  # uids are CiString
    assert not references.is_issued_for(ref, "04FFFFFFFFFFFF")


def test_a_reference_expires_and_another_key_does_not_know_it():
    clock = FixedClock(EPOCH)
    ref = AuthorizationReferences(KEY, clock).issue("U1")
    clock.set(EPOCH + VALID_FOR + timedelta(seconds=1))
    assert not AuthorizationReferences(KEY, clock).is_issued_for(ref, "U1")
    fresh = AuthorizationReferences(KEY, FixedClock(EPOCH))
    assert not AuthorizationReferences(b"o" * 32, FixedClock(EPOCH)).is_issued_for(
        fresh.issue("U1"), "U1"
    )


def test_garbage_is_no_reference():
    references = AuthorizationReferences(KEY, FixedClock(EPOCH))
    for junk in ("", "NOT-BASE32!", "AAAAAAAAAAAAAAAAAA", "A" * 40):
        assert not references.is_issued_for(junk, "U1")
