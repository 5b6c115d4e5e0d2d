"""Driver tokens: one app token per account, cards, blocking and erasure."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.shared.ids import AccountId
from evroam.tokens.errors import CardTakenError, InvalidCardError, TokenNotFoundError
from evroam.tokens.model import Decision, TokenKind, TokenState, card_uid
from evroam.tokens.service import TokenService
from tests.fakes import FixedClock, InMemoryDriverTokenStore

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ANN, BOB = AccountId("acc_00000000000000a1"), AccountId("acc_00000000000000b2")


@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def tokens(clock):
    return TokenService(InMemoryDriverTokenStore(), clock, "CN", "EVR")


class TestAppTokens:
    def test_an_account_has_one_app_token_however_often_it_is_issued(self, tokens):
        first = tokens.issue_app_token(ANN)
        assert tokens.issue_app_token(ANN) == first
        assert [t.uid for t in tokens.list_for(ANN)] == [first.uid]
        assert first.kind is TokenKind.APP
        assert first.is_valid

    def test_uids_and_contract_ids_are_random_and_name_no_account(self, tokens):
        ann, bob = tokens.issue_app_token(ANN), tokens.issue_app_token(BOB)
        assert ann.uid != bob.uid
        assert ann.contract_id != bob.contract_id
        for token, account in ((ann, ANN), (bob, BOB)):
            assert account not in token.uid
            assert account.removeprefix("acc_") not in token.contract_id
            assert len(token.uid) <= 36
            assert token.contract_id.startswith("CN-EVR-C")


class TestCards:
    def test_a_card_is_kept_as_its_uid_in_upper_case_hex(self, tokens):
        card = tokens.register_card(ANN, "04:a2:b3:c4:d5:e6:f7", " 12-345 ")
        assert card.uid == "04A2B3C4D5E6F7"
        assert card.kind is TokenKind.RFID
        assert card.visual_number == "12-345"
        assert tokens.get("04A2B3C4D5E6F7", TokenKind.RFID) == card

    def test_a_card_registered_twice_is_refused(self, tokens):
        tokens.register_card(ANN, "04A2B3C4")
        with pytest.raises(CardTakenError):
            tokens.register_card(BOB, "04a2b3c4")

    @pytest.mark.parametrize("uid", ["04A2B3", "04A2B3C4D", "not-hex!", "G4A2B3C4"])
    def test_a_uid_no_card_has_is_refused(self, tokens, uid):
        with pytest.raises(InvalidCardError):
            tokens.register_card(ANN, uid)

    @given(st.binary(min_size=4, max_size=4) | st.binary(min_size=7, max_size=7))
    def test_every_4_or_7_byte_uid_reads_back_as_itself(self, raw):
        assert card_uid(raw.hex()) == raw.hex().upper()


class TestBlockingAndErasure:
    def test_blocking_turns_every_token_invalid_and_authorize_says_blocked(
        self, tokens, clock
    ):
        app = tokens.issue_app_token(ANN)
        card = tokens.register_card(ANN, "04A2B3C4")
        clock.set(T0 + timedelta(minutes=1))
        assert tokens.block(ANN) == 2
        for uid in (app.uid, card.uid):
            held = tokens.get(uid)
            assert not held.is_valid
            assert held.decision is Decision.BLOCKED
            assert held.updated_at == T0 + timedelta(minutes=1)

    def test_a_card_registered_while_blocked_is_blocked_too(self, tokens):
        tokens.issue_app_token(ANN)
        tokens.block(ANN)
        assert tokens.register_card(ANN, "04A2B3C4").state is TokenState.BLOCKED

    def test_unblocking_makes_the_tokens_valid_again(self, tokens):
        app = tokens.issue_app_token(ANN)
        tokens.block(ANN)
        tokens.unblock(ANN)
        assert tokens.get(app.uid).decision is Decision.ALLOWED

    def test_erasure_keeps_the_tokens_invalid_and_linked_to_no_one(self, tokens):
        app = tokens.issue_app_token(ANN)
        tokens.block(ANN)
        tokens.erase(ANN)
        held = tokens.get(app.uid)  # never deleted
        assert held.account_id is None
        assert held.decision is Decision.NOT_ALLOWED
        assert tokens.list_for(ANN) == []

    def test_another_account_is_untouched(self, tokens):
        tokens.issue_app_token(ANN)
        bob = tokens.issue_app_token(BOB)
        tokens.block(ANN)
        assert tokens.get(bob.uid).is_valid

    def test_an_unknown_uid_is_not_found(self, tokens):
        with pytest.raises(TokenNotFoundError):
            tokens.get("NOPE")


class TestChanges:
    def test_changes_come_in_order_after_a_cursor(self, tokens, clock):
        ann = tokens.issue_app_token(ANN)
        clock.set(T0 + timedelta(seconds=1))
        bob = tokens.issue_app_token(BOB)
        assert [t.uid for t in tokens.changed_after(None)] == [ann.uid, bob.uid]
        cursor = (ann.updated_at, ann.uid)
        assert [t.uid for t in tokens.changed_after(cursor)] == [bob.uid]
        clock.set(T0 + timedelta(seconds=2))
        tokens.block(ANN)
        assert [t.uid for t in tokens.changed_after((bob.updated_at, bob.uid))] == [
            ann.uid
        ]
