"""The wallet use-case suite from tests/unit/wallet, rerun on SqlLedgerStore."""

from tests.unit.wallet.test_service import (  # noqa: F401 - collected here again
    TestHistory,
    TestOpenWallet,
    TestPlaceHold,
    TestRefund,
    TestReleaseHold,
    TestSettleHold,
    TestTopUp,
    funded,
)
