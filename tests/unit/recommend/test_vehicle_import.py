"""The vehicle catalogue built from licensed open data (evroam vehicles import)."""

from __future__ import annotations

import pytest

from evroam.catalogue.model import ConnectorStandard
from evroam.cli.vehicles import packaged_data, packaged_module, read_datasets
from evroam.recommend.vehicle import CurveSource
from evroam.recommend.vehicle_import import (
    GENERIC_SHAPE,
    import_vehicles,
    merge,
    render_module,
)
from evroam.recommend.vehicles import VEHICLES, all_vehicles, get_vehicle

OLD_IDS = [
    "xiaomi-su7",
    "xiaomi-su7-pro",
    "xiaomi-su7-max",
    "nio-et5",
    "nio-es6",
    "nio-es8",
    "xpeng-g6",
    "xpeng-g9",
    "li-mega",
    "li-l7",
    "byd-seal",
    "byd-han",
    "byd-dolphin",
    "tesla-model-3",
    "tesla-model-y-lr",
    "zeekr-001",
    "aion-s-max",
]
GBT = frozenset({ConnectorStandard.GBT_DC, ConnectorStandard.GBT_AC})


@pytest.fixture(scope="module")
def datasets():
    return read_datasets(packaged_data())


@pytest.fixture(scope="module")
def report(datasets):
    return import_vehicles(*datasets)


class TestImport:
    def test_the_shipped_module_is_what_the_import_writes(self, report):
        assert packaged_module().read_text(encoding="utf-8") == render_module(
            report.vehicles
        )

    def test_imports_only_models_sold_in_china(self, datasets, report):
        files, _ = datasets
        for vehicle in report.vehicles:
            path = vehicle.source.split()[1]
            year_file = files[path]
            main = files["/".join([*path.split("/")[:4], path.split("/")[2] + ".json"])]
            assert "CN" in merge(main, year_file).get("markets", ())

    def test_every_import_has_gbt_plugs_a_source_and_a_licence(self, report):
        assert len(report.vehicles) >= 60
        for v in report.vehicles:
            assert v.connectors == GBT
            assert v.source.startswith("open-ev-data-dataset src/")
            assert "CDLA-Permissive-2.0" in v.licence

    def test_a_model_with_a_published_curve_credits_open_ev_data(self, report):
        curved = [
            v for v in report.vehicles if v.curve_source is CurveSource.OPEN_EV_DATA
        ]
        assert report.with_curve == len(curved) >= 20
        assert all("KilowattApp/open-ev-data" in v.licence for v in curved)
        et5 = next(v for v in curved if v.id == "nio-et5")
        assert "Open EV Data NIO ET5" in et5.source

    def test_a_model_without_a_curve_gets_the_generic_shape_at_its_peak(self, report):
        generic = [v for v in report.vehicles if v.curve_source is CurveSource.GENERIC]
        assert generic
        for v in generic:
            shares = [p.power_kw / v.max_dc_kw for p in v.dc_curve]
            assert shares == pytest.approx([s for _, s in GENERIC_SHAPE], abs=0.01)

    def test_only_nio_cars_swap_and_never_the_firefly(self, report):
        swappers = {v.id for v in report.vehicles if v.swap_operator_ids}
        assert swappers
        assert all(i.startswith("nio-") for i in swappers)
        assert "nio-firefly-ev" not in swappers

    def test_skips_records_it_cannot_model_and_says_why(self, report):
        assert all(": no " in line for line in report.skipped)

    def test_a_variant_file_overrides_its_year_file(self):
        assert merge(
            {"battery": {"net": 70, "chemistry": "nmc"}, "markets": ["CN"]},
            {"battery": {"net": 93}},
        ) == {"battery": {"net": 93, "chemistry": "nmc"}, "markets": ["CN"]}


class TestCatalogue:
    @pytest.mark.parametrize("vehicle_id", OLD_IDS)
    def test_every_id_of_the_hand_entered_catalogue_still_works(self, vehicle_id):
        assert get_vehicle(vehicle_id).id == vehicle_id

    def test_xiaomi_and_li_auto_stay_curated_without_a_licensed_source(self):
        for v in all_vehicles():
            if v.brand in ("Xiaomi", "Li Auto"):
                assert v.curve_source is CurveSource.CURATED
                assert v.licence == ""
                assert "in no licensed dataset" in v.source

    def test_ids_are_unique(self):
        ids = [v.id for v in VEHICLES]
        assert len(ids) == len(set(ids))
