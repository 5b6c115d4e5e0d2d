"""National expressways as polylines through real cities, and their service areas."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cache

from evroam.scenario.cities import CITY_BY_KEY, City
from evroam.shared.geo import distance_m

SERVICE_AREA_SPACING_KM = 50.0
MERGE_RADIUS_KM = 20.0  # two corridors' service areas closer than this are one site
URBAN_MARGIN = 1.2  # no service area inside 1.2 x a city's urban radius


@dataclass(frozen=True, slots=True)
class Corridor:
    """An expressway; each leg is a polyline of city keys (ferries split legs)."""

    code: str
    name: str
    name_zh: str
    legs: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class ServiceArea:
    """One service-area location (both carriageways count as one)."""

    id: str
    corridor: str
    lat: float
    lon: float
    km_mark: int
    name_zh: str
    city_key: str  # nearest city, for province and naming


def _c(code: str, name: str, name_zh: str, *legs: str) -> Corridor:
    return Corridor(code, name, name_zh, tuple(tuple(leg.split()) for leg in legs))


CORRIDORS: tuple[Corridor, ...] = (
    _c(
        "G1",
        "Beijing-Harbin",
        "京哈高速",
        "beijing tangshan qinhuangdao jinzhou shenyang tieling siping changchun harbin",
    ),
    _c(
        "G2",
        "Beijing-Shanghai",
        "京沪高速",
        "beijing langfang tianjin cangzhou dezhou jinan taian linyi huaian yangzhou"
        " wuxi suzhou shanghai",
    ),
    _c(
        "G3",
        "Beijing-Taipei",
        "京台高速",
        "beijing tianjin cangzhou dezhou jinan taian xuzhou bengbu hefei huangshan"
        " quzhou nanping fuzhou",
    ),
    _c(
        "G4",
        "Beijing-Hong Kong/Macau",
        "京港澳高速",
        "beijing baoding shijiazhuang xingtai handan anyang xinxiang zhengzhou xuchang"
        " zhumadian xinyang wuhan yueyang changsha zhuzhou hengyang chenzhou shaoguan"
        " guangzhou dongguan shenzhen",
    ),
    _c(
        "G5",
        "Beijing-Kunming",
        "京昆高速",
        "beijing baoding shijiazhuang taiyuan linfen yuncheng xian hanzhong guangyuan"
        " mianyang chengdu yaan xichang panzhihua kunming",
    ),
    _c(
        "G6",
        "Beijing-Lhasa",
        "京藏高速",
        "beijing zhangjiakou ulanqab hohhot baotou bayannur wuhai yinchuan zhongwei"
        " lanzhou xining",
    ),
    _c(
        "G10",
        "Suifenhe-Manzhouli",
        "绥满高速",
        "mudanjiang harbin daqing qiqihar hulunbuir",
    ),
    _c(
        "G15",
        "Shenyang-Haikou",
        "沈海高速",
        "shenyang dalian",
        "yantai qingdao lianyungang yancheng nantong shanghai jiaxing ningbo taizhou-zj"
        " wenzhou fuzhou putian quanzhou xiamen zhangzhou shantou huizhou shenzhen"
        " dongguan guangzhou foshan jiangmen maoming zhanjiang",
    ),
    _c(
        "G20",
        "Qingdao-Yinchuan",
        "青银高速",
        "qingdao weifang zibo jinan shijiazhuang taiyuan lvliang yinchuan",
    ),
    _c(
        "G25",
        "Changchun-Shenzhen",
        "长深高速",
        "changchun chifeng chengde tianjin binzhou zibo linyi huaian nanjing hangzhou"
        " jinhua lishui nanping sanming longyan meizhou heyuan shenzhen",
    ),
    _c(
        "G30",
        "Lianyungang-Khorgas",
        "连霍高速",
        "lianyungang xuzhou shangqiu kaifeng zhengzhou luoyang sanmenxia weinan xian"
        " xianyang baoji tianshui lanzhou wuwei zhangye jiuquan hami turpan urumqi"
        " kuytun khorgas",
    ),
    _c(
        "G35",
        "Jinan-Guangzhou",
        "济广高速",
        "jinan heze shangqiu fuyang luan anqing jingdezhen yingtan heyuan guangzhou",
    ),
    _c(
        "G40",
        "Shanghai-Xi'an",
        "沪陕高速",
        "shanghai nantong yangzhou nanjing hefei luan xinyang nanyang shangluo xian",
    ),
    _c(
        "G42",
        "Shanghai-Chengdu",
        "沪蓉高速",
        "shanghai suzhou wuxi changzhou nanjing hefei luan wuhan jingzhou yichang enshi"
        " wanzhou nanchong suining chengdu",
    ),
    _c(
        "G50",
        "Shanghai-Chongqing",
        "沪渝高速",
        "shanghai huzhou wuhu anqing huangshi wuhan jingzhou yichang enshi chongqing",
    ),
    _c(
        "G55",
        "Erenhot-Guangzhou",
        "二广高速",
        "erenhot ulanqab datong taiyuan changzhi jincheng luoyang nanyang xiangyang"
        " jingzhou changde shaoyang guangzhou",
    ),
    _c(
        "G56",
        "Hangzhou-Ruili",
        "杭瑞高速",
        "hangzhou huangshan jingdezhen jiujiang yueyang changde zunyi bijie qujing"
        " kunming dali baoshan ruili",
    ),
    _c(
        "G60",
        "Shanghai-Kunming",
        "沪昆高速",
        "shanghai jiaxing hangzhou jinhua quzhou shangrao yingtan nanchang pingxiang"
        " changsha shaoyang huaihua kaili guiyang anshun qujing kunming",
    ),
    _c(
        "G65",
        "Baotou-Maoming",
        "包茂高速",
        "baotou ordos yulin-sn yanan xian ankang dazhou chongqing huaihua guilin wuzhou"
        " maoming",
    ),
    _c(
        "G70",
        "Fuzhou-Yinchuan",
        "福银高速",
        "fuzhou nanping nanchang jiujiang wuhan xiangyang shiyan shangluo xian"
        " pingliang yinchuan",
    ),
    _c(
        "G72",
        "Quanzhou-Nanning",
        "泉南高速",
        "quanzhou longyan ganzhou chenzhou guilin liuzhou nanning",
    ),
    _c(
        "G75",
        "Lanzhou-Haikou",
        "兰海高速",
        "lanzhou longnan guangyuan nanchong chongqing zunyi guiyang nanning beihai"
        " zhanjiang",
    ),
    _c(
        "G76",
        "Xiamen-Chengdu",
        "厦蓉高速",
        "xiamen zhangzhou longyan ganzhou chenzhou guilin guiyang bijie luzhou chengdu",
    ),
    _c(
        "G85",
        "Yinchuan-Kunming",
        "银昆高速",
        "yinchuan pingliang baoji hanzhong bazhong chongqing luzhou zhaotong kunming",
    ),
)


def _km_between(a: City, b: City) -> float:
    return distance_m(a.lat, a.lon, b.lat, b.lon) / 1000.0


def _is_urban(lat: float, lon: float) -> bool:
    return any(
        distance_m(lat, lon, c.lat, c.lon) / 1000.0 < c.radius_km * URBAN_MARGIN
        for c in CITY_BY_KEY.values()
    )


def _nearest_city(lat: float, lon: float) -> tuple[City, float]:
    best = min(CITY_BY_KEY.values(), key=lambda c: distance_m(lat, lon, c.lat, c.lon))
    return best, distance_m(lat, lon, best.lat, best.lon) / 1000.0


_COMPASS = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")


def _direction_zh(city: City, lat: float, lon: float) -> str:
    dy = lat - city.lat
    dx = (lon - city.lon) * math.cos(math.radians(city.lat))
    bearing = math.degrees(math.atan2(dx, dy)) % 360.0
    return _COMPASS[int((bearing + 22.5) // 45.0) % 8]


def _leg_points(leg: tuple[str, ...]) -> list[tuple[float, float, float]]:
    """Points every SERVICE_AREA_SPACING_KM along a leg, as (lat, lon, km mark)."""
    points: list[tuple[float, float, float]] = []
    travelled = 0.0
    next_mark = SERVICE_AREA_SPACING_KM / 2
    for a_key, b_key in itertools.pairwise(leg):
        a, b = CITY_BY_KEY[a_key], CITY_BY_KEY[b_key]
        length = _km_between(a, b)
        while next_mark < travelled + length:
            f = (next_mark - travelled) / length
            lat = a.lat + (b.lat - a.lat) * f
            lon = a.lon + (b.lon - a.lon) * f
            points.append((lat, lon, next_mark))
            next_mark += SERVICE_AREA_SPACING_KM
        travelled += length
    return points


def corridor_length_km(corridor: Corridor) -> float:
    return sum(
        _km_between(CITY_BY_KEY[a], CITY_BY_KEY[b])
        for leg in corridor.legs
        for a, b in itertools.pairwise(leg)
    )


@cache
def service_areas() -> tuple[ServiceArea, ...]:
    """Service areas every ~50 km of every corridor, outside cities, merged where
    corridors share a road; ids are ``<code>-<km mark>`` and stable."""
    kept: list[ServiceArea] = []
    names: set[str] = set()
    for corridor in CORRIDORS:
        offset = 0.0
        for leg in corridor.legs:
            for lat, lon, km in _leg_points(leg):
                if _is_urban(lat, lon) or any(
                    distance_m(lat, lon, s.lat, s.lon) < MERGE_RADIUS_KM * 1000
                    for s in kept
                ):
                    continue
                mark = round(offset + km)
                kept.append(_service_area(corridor, lat, lon, mark, names))
            offset += corridor_length_km(Corridor("", "", "", (leg,)))
    return tuple(kept)


def _service_area(
    corridor: Corridor, lat: float, lon: float, mark: int, names: set[str]
) -> ServiceArea:
    city, _ = _nearest_city(lat, lon)
    stem = f"{city.name_zh}{_direction_zh(city, lat, lon)}"
    name = f"{stem}服务区"
    suffix = 2
    while name in names:
        name = f"{stem}{suffix}服务区"
        suffix += 1
    names.add(name)
    return ServiceArea(
        id=f"{corridor.code}-{mark:04d}",
        corridor=corridor.code,
        lat=round(lat, 6),
        lon=round(lon, 6),
        km_mark=mark,
        name_zh=name,
        city_key=city.key,
    )


def nearest_service_area_km(lat: float, lon: float) -> float:
    """Distance to the nearest modelled service area (used by plausibility checks)."""
    return min(distance_m(lat, lon, s.lat, s.lon) for s in service_areas()) / 1000.0
