"""Where a generated station stands and what it is called (names are synthetic)."""

from __future__ import annotations

import math
import random

from evroam.scenario.cities import PROVINCES, City
from evroam.scenario.corridors import ServiceArea

KM_PER_DEG_LAT = 111.32
MAX_SCATTER = 1.6  # no station further than 1.6 x the urban radius from the centre

_ROADS = (
    "人民路", "中山路", "解放路", "建设路", "和平路", "新华路", "胜利路", "长江路",
    "黄河路", "文化路", "东风路", "朝阳路", "光明路", "青年路", "学府路", "迎宾大道",
    "滨河路", "世纪大道", "环城东路", "环城西路", "工业大道", "科技大道", "花园路",
    "振兴路", "兴业路", "发展大道", "金桥路", "南湖路", "北辰路", "春晖路", "创新路",
    "友谊路", "园林路", "凤凰路", "天府路", "湖滨路", "新城大道", "站前路", "体育路",
    "育才路",
)  # fmt: skip
_POIS = (
    "商业广场", "市民中心", "体育中心", "科技园", "高铁站", "会展中心", "人民公园",
    "中心医院", "大学城", "软件园", "汽车城", "奥体中心", "滨江公园", "火车站",
    "金融中心", "步行街", "物流园", "创业园", "工业园", "湿地公园", "图书馆",
    "文化中心", "购物中心", "客运站", "产业园", "停车场", "美食城", "家居城",
    "写字楼", "酒店",
)  # fmt: skip
_COMPOUNDS = (
    "锦绣花园", "阳光家园", "翠苑", "幸福里", "碧水湾", "御景苑", "春华苑",
    "金色家园", "都市花园", "滨江花园", "东方名苑", "紫荆苑", "丽景湾", "书香苑",
    "和谐家园", "康乐园", "枫林苑", "桂园", "梧桐苑", "明珠小区", "新村", "怡景苑",
    "锦园", "嘉园", "雅苑", "山水苑", "悦府", "清华园", "公寓", "家属院",
)  # fmt: skip
_GENERIC_DISTRICTS = ("高新区", "经开区", "新城区", "老城区", "城东新区", "滨江新区")
_DISTRICTS: dict[str, tuple[str, ...]] = {
    "beijing": ("朝阳区", "海淀区", "东城区", "西城区", "丰台区", "通州区"),
    "shanghai": ("浦东新区", "徐汇区", "静安区", "黄浦区", "闵行区", "长宁区"),
    "guangzhou": ("天河区", "越秀区", "海珠区", "番禺区", "白云区"),
    "shenzhen": ("福田区", "南山区", "罗湖区", "宝安区", "龙岗区"),
    "chengdu": ("锦江区", "武侯区", "青羊区", "金牛区", "成华区"),
    "hangzhou": ("西湖区", "上城区", "拱墅区", "滨江区", "萧山区"),
    "chongqing": ("渝中区", "江北区", "南岸区", "渝北区", "九龙坡区"),
    "suzhou": ("姑苏区", "吴中区", "相城区", "虎丘区", "吴江区"),
    "wuhan": ("江汉区", "武昌区", "洪山区", "汉阳区", "江岸区"),
    "xian": ("雁塔区", "碑林区", "未央区", "莲湖区", "新城区"),
    "nanjing": ("玄武区", "鼓楼区", "秦淮区", "建邺区", "江宁区"),
    "changsha": ("岳麓区", "芙蓉区", "天心区", "开福区", "雨花区"),
    "tianjin": ("和平区", "河西区", "南开区", "河东区", "滨海新区"),
    "zhengzhou": ("金水区", "中原区", "二七区", "惠济区"),
    "dongguan": ("南城街道", "东城街道", "莞城街道", "松山湖"),
    "wuxi": ("梁溪区", "滨湖区", "新吴区", "锡山区", "惠山区"),
    "ningbo": ("海曙区", "鄞州区", "江北区", "镇海区", "北仑区"),
    "qingdao": ("市南区", "市北区", "崂山区", "李沧区", "黄岛区"),
    "hefei": ("蜀山区", "包河区", "庐阳区", "瑶海区"),
}

CITY_DISTRICTS = _DISTRICTS  # city key → its districts (the gazetteer searches them)


def city_prefix(city: City) -> str:
    """The administrative prefix of an address: 广东省深圳市, 上海市, 重庆市万州区."""
    province = PROVINCES[city.province]
    if province.is_municipality:
        if province.name_zh == city.name_zh:
            return f"{city.name_zh}市"
        return f"{province.name_zh}市{city.name_zh}区"
    suffix = "" if province.name_zh.endswith("区") else "省"
    return f"{province.name_zh}{suffix}{city.name_zh}市"


class Scatter:
    """Gaussian scatter around a city centre, denser in the core, kept on land."""

    __slots__ = ("_city", "_dlat", "_dlon", "_limit", "_reach", "_sigma")

    def __init__(self, city: City, core_factor: float) -> None:
        self._city = city
        self._sigma = city.radius_km * core_factor
        self._limit = city.radius_km * MAX_SCATTER
        self._reach = city.reach_km or (math.inf,) * 4
        self._dlat = 1.0 / KM_PER_DEG_LAT
        self._dlon = 1.0 / (KM_PER_DEG_LAT * math.cos(math.radians(city.lat)))

    def point(self, rng: random.Random) -> tuple[float, float]:
        north, south, east, west = self._reach
        gauss, sigma = rng.gauss, self._sigma
        for _ in range(12):
            dy, dx = gauss(0.0, sigma), gauss(0.0, sigma)
            if dx * dx + dy * dy > self._limit * self._limit:
                continue
            if -south <= dy <= north and -west <= dx <= east:
                return self._offset(dy, dx)
        return self._offset(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5))

    def _offset(self, dy_km: float, dx_km: float) -> tuple[float, float]:
        lat = self._city.lat + dy_km * self._dlat
        lon = self._city.lon + dx_km * self._dlon
        return round(lat, 6), round(lon, 6)


def near(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point within ``km`` of a site (the other side of a service area, say)."""
    dlat = rng.uniform(-km, km) / KM_PER_DEG_LAT
    dlon = rng.uniform(-km, km) / (KM_PER_DEG_LAT * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def urban_name(rng: random.Random, operator: str, city: City) -> tuple[str, str]:
    """Name and address of an urban site, e.g. ``Rapid Grid · 深圳科技大道软件园站``."""
    road = rng.choice(_ROADS)
    name = f"{operator} · {city.name_zh}{road}{rng.choice(_POIS)}站"
    return name, _street_address(rng, city, road)


def community_name(rng: random.Random, operator: str, city: City) -> tuple[str, str]:
    road = rng.choice(_ROADS)
    name = f"{operator} · {city.name_zh}{rng.choice(_COMPOUNDS)}站"
    return name, _street_address(rng, city, road)


def swap_city_name(rng: random.Random, operator: str, city: City) -> tuple[str, str]:
    road = rng.choice(_ROADS)
    name = f"{operator} · {city.name_zh}{road}换电站"
    return name, _street_address(rng, city, road)


def service_area_name(
    operator: str, city: City, area: ServiceArea, road_zh: str, is_swap: bool
) -> tuple[str, str]:
    kind = "换电站" if is_swap else "充电站"
    name = f"{operator} · {road_zh}{area.name_zh}{kind}"
    return name, f"{city_prefix(city)}{road_zh}{area.name_zh}"


def _street_address(rng: random.Random, city: City, road: str) -> str:
    districts = _DISTRICTS.get(city.key, _GENERIC_DISTRICTS)
    number = rng.randint(1, 999)
    return f"{city_prefix(city)}{rng.choice(districts)}{road}{number}号"
