"""``evroam simulate-partner``: one partner operator's platform, for demos and tests."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from evroam.catalogue.model import OperatorProfile
from evroam.cli.options import BboxOption
from evroam.protocols.tcec_102.profiles import SpellingProfile
from evroam.simulator.credentials import (
    TcecPartnerCredentials,
    default_ocpi_token_a,
    default_tcec_credentials,
)
from evroam.simulator.partner import PartnerProtocol, build_partner_simulator
from evroam.simulator.runner import SimulationSettings
from evroam.simulator.sessions import SessionSettings, SessionSimulator

__all__ = [
    "default_ocpi_token_a",
    "default_tcec_credentials",
    "simulate_partner",
    "tcec_credentials",
]

_SECRET = "16 characters; default: the profile's DEMO ONLY secret."


def tcec_credentials(
    profile: OperatorProfile,
    operator_id: str | None = None,
    operator_secret: str | None = None,
    data_secret: str | None = None,
    data_secret_iv: str | None = None,
    sig_secret: str | None = None,
    spelling: SpellingProfile = SpellingProfile.STANDARD,
) -> TcecPartnerCredentials:
    """The profile's demo credentials with any given value put in its place."""
    demo = default_tcec_credentials(profile)
    return TcecPartnerCredentials(
        partner_operator_id=operator_id or demo.partner_operator_id,
        hub_operator_id=demo.hub_operator_id,
        operator_secret=operator_secret or demo.operator_secret,
        data_secret=data_secret or demo.data_secret,
        data_secret_iv=data_secret_iv or demo.data_secret_iv,
        sig_secret=sig_secret or demo.sig_secret,
        spelling=spelling,
    )


def simulate_partner(
    profile: Annotated[
        OperatorProfile,
        typer.Option(help="swap (swapway), fast (rapidgrid), community (neighbourly)."),
    ],
    protocol: Annotated[
        PartnerProtocol,
        typer.Option(help="ocpi (OCPI 2.2.1 CPO) or tcec (T/CEC 102)."),
    ],
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")],
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    hub_url: Annotated[
        str, typer.Option(help="The hub's base URL (T/CEC pushes go to /evcs/v1).")
    ] = "http://127.0.0.1:8000",
    seed: Annotated[int, typer.Option(help="Scenario and churn seed.")] = 7,
    changes_per_s: Annotated[
        float | None,
        typer.Option(min=0, help="Status changes per second (default: piles/600)."),
    ] = None,
    chaos_rate: Annotated[
        float,
        typer.Option(
            min=0.0, max=1.0, help="Share of pushes dropped, duplicated or delayed."
        ),
    ] = 0.0,
    token_a: Annotated[
        str | None,
        typer.Option(
            envvar="EVROAM_SIM_TOKEN_A",
            help="OCPI TOKEN_A (default: the profile's demo token).",
        ),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(help="URL the hub reaches us at (default: http://HOST:PORT)."),
    ] = None,
    tcec_operator_id: Annotated[
        str | None, typer.Option(help="Our 9-character T/CEC OperatorID.")
    ] = None,
    tcec_secret: Annotated[
        str | None,
        typer.Option(
            envvar="EVROAM_SIM_TCEC_SECRET", help=f"OperatorSecret, {_SECRET}"
        ),
    ] = None,
    tcec_data_secret: Annotated[
        str | None,
        typer.Option(
            envvar="EVROAM_SIM_TCEC_DATA_SECRET", help=f"DataSecret, {_SECRET}"
        ),
    ] = None,
    tcec_data_secret_iv: Annotated[
        str | None,
        typer.Option(
            envvar="EVROAM_SIM_TCEC_DATA_SECRET_IV", help=f"DataSecretIV, {_SECRET}"
        ),
    ] = None,
    tcec_sig_secret: Annotated[
        str | None,
        typer.Option(envvar="EVROAM_SIM_TCEC_SIG_SECRET", help=f"SigSecret, {_SECRET}"),
    ] = None,
    tcec_spelling: Annotated[
        SpellingProfile,
        typer.Option(
            help="Spelling profile: standard (T/CEC 102.3's four 'Sevice' fields)"
            " or service (all 'Service')."
        ),
    ] = SpellingProfile.STANDARD,
    session_speedup: Annotated[
        float,
        typer.Option(min=0.001, help="Simulated seconds of charging per wall second."),
    ] = 1.0,
    session_report_every_s: Annotated[
        float,
        typer.Option(min=0.001, help="Simulated seconds between progress reports."),
    ] = 15.0,
    bbox: BboxOption = None,
) -> None:
    """Serve one partner network of the reference scenario in one protocol, with
    live status churn pushed to the hub (Ctrl-C stops)."""
    try:
        creds = tcec_credentials(
            profile,
            tcec_operator_id,
            tcec_secret,
            tcec_data_secret,
            tcec_data_secret_iv,
            tcec_sig_secret,
            tcec_spelling,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    simulator = build_partner_simulator(
        profile,
        protocol,
        public_url=public_url or f"http://{host}:{port}",
        hub_url=hub_url,
        settings=SimulationSettings(
            seed=seed, changes_per_s=changes_per_s, chaos_rate=chaos_rate
        ),
        token_a=token_a,
        tcec_credentials=creds,
        area=bbox,
    )
    sessions: SessionSimulator = simulator.app.state.sessions
    sessions.settings = SessionSettings(
        speedup=session_speedup, report_every_s=session_report_every_s, seed=seed
    )
    typer.echo(f"evroam simulate-partner: {simulator.summary}")
    uvicorn.run(simulator.app, host=host, port=port, log_level="warning")
