"""Real Chinese cities (WGS-84 centres, province, tier) the scenarios are built on."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CityTier(enum.StrEnum):
    """City tiers after the Yicai (第一财经) 2024 ranking; tier 5 is folded into 4."""

    TIER_1 = "1"
    NEW_TIER_1 = "new 1"
    TIER_2 = "2"
    TIER_3 = "3"
    TIER_4 = "4"


@dataclass(frozen=True, slots=True)
class Province:
    code: str  # ISO 3166-2:CN subdivision code, lower case (``gd`` for CN-GD)
    name: str
    name_zh: str
    is_municipality: bool = False
    area_code: str = ""  # GB/T 2260 code of the province (``440000`` Guangdong)


@dataclass(frozen=True, slots=True)
class City:
    """A city centre; ``reach_km`` caps how far (N, S, E, W) land goes on a coast."""

    key: str
    name: str
    name_zh: str
    province: str
    tier: CityTier
    lat: float
    lon: float
    radius_km: float
    reach_km: tuple[float, float, float, float] | None = None


_PROVINCE_ROWS = (
    ("bj", "Beijing", "北京", True),
    ("tj", "Tianjin", "天津", True),
    ("sh", "Shanghai", "上海", True),
    ("cq", "Chongqing", "重庆", True),
    ("he", "Hebei", "河北", False),
    ("sx", "Shanxi", "山西", False),
    ("nm", "Inner Mongolia", "内蒙古自治区", False),
    ("ln", "Liaoning", "辽宁", False),
    ("jl", "Jilin", "吉林", False),
    ("hl", "Heilongjiang", "黑龙江", False),
    ("js", "Jiangsu", "江苏", False),
    ("zj", "Zhejiang", "浙江", False),
    ("ah", "Anhui", "安徽", False),
    ("fj", "Fujian", "福建", False),
    ("jx", "Jiangxi", "江西", False),
    ("sd", "Shandong", "山东", False),
    ("ha", "Henan", "河南", False),
    ("hb", "Hubei", "湖北", False),
    ("hn", "Hunan", "湖南", False),
    ("gd", "Guangdong", "广东", False),
    ("gx", "Guangxi", "广西壮族自治区", False),
    ("hi", "Hainan", "海南", False),
    ("sc", "Sichuan", "四川", False),
    ("gz", "Guizhou", "贵州", False),
    ("yn", "Yunnan", "云南", False),
    ("xz", "Tibet", "西藏自治区", False),
    ("sn", "Shaanxi", "陕西", False),
    ("gs", "Gansu", "甘肃", False),
    ("qh", "Qinghai", "青海", False),
    ("nx", "Ningxia", "宁夏回族自治区", False),
    ("xj", "Xinjiang", "新疆维吾尔自治区", False),
)

# GB/T 2260 administrative division codes: the first two digits name the province.
_GB2260_PREFIX = {
    "bj": "11", "tj": "12", "he": "13", "sx": "14", "nm": "15", "ln": "21",
    "jl": "22", "hl": "23", "sh": "31", "js": "32", "zj": "33", "ah": "34",
    "fj": "35", "jx": "36", "sd": "37", "ha": "41", "hb": "42", "hn": "43",
    "gd": "44", "gx": "45", "hi": "46", "cq": "50", "sc": "51", "gz": "52",
    "yn": "53", "xz": "54", "sn": "61", "gs": "62", "qh": "63", "nx": "64",
    "xj": "65",
}  # fmt: skip

PROVINCES: dict[str, Province] = {
    row[0]: Province(row[0], row[1], row[2], row[3], f"{_GB2260_PREFIX[row[0]]}0000")
    for row in _PROVINCE_ROWS
}

_RADIUS_KM = {
    CityTier.TIER_1: 30.0,
    CityTier.NEW_TIER_1: 20.0,
    CityTier.TIER_2: 14.0,
    CityTier.TIER_3: 10.0,
    CityTier.TIER_4: 7.0,
}

# key, English name, Chinese name, province, tier, lat, lon (city centre, WGS-84)
_CITY_ROWS: tuple[tuple[str, str, str, str, str, float, float], ...] = (
    ("beijing", "Beijing", "北京", "bj", "1", 39.9042, 116.4074),
    ("shanghai", "Shanghai", "上海", "sh", "1", 31.2304, 121.4737),
    ("guangzhou", "Guangzhou", "广州", "gd", "1", 23.1291, 113.2644),
    ("shenzhen", "Shenzhen", "深圳", "gd", "1", 22.5431, 114.0579),
    ("chengdu", "Chengdu", "成都", "sc", "new 1", 30.5728, 104.0668),
    ("hangzhou", "Hangzhou", "杭州", "zj", "new 1", 30.2741, 120.1551),
    ("chongqing", "Chongqing", "重庆", "cq", "new 1", 29.5630, 106.5516),
    ("suzhou", "Suzhou", "苏州", "js", "new 1", 31.2990, 120.5853),
    ("wuhan", "Wuhan", "武汉", "hb", "new 1", 30.5928, 114.3055),
    ("xian", "Xi'an", "西安", "sn", "new 1", 34.3416, 108.9398),
    ("nanjing", "Nanjing", "南京", "js", "new 1", 32.0603, 118.7969),
    ("changsha", "Changsha", "长沙", "hn", "new 1", 28.2282, 112.9388),
    ("tianjin", "Tianjin", "天津", "tj", "new 1", 39.0842, 117.2010),
    ("zhengzhou", "Zhengzhou", "郑州", "ha", "new 1", 34.7466, 113.6253),
    ("dongguan", "Dongguan", "东莞", "gd", "new 1", 23.0207, 113.7518),
    ("wuxi", "Wuxi", "无锡", "js", "new 1", 31.4912, 120.3119),
    ("ningbo", "Ningbo", "宁波", "zj", "new 1", 29.8683, 121.5440),
    ("qingdao", "Qingdao", "青岛", "sd", "new 1", 36.0671, 120.3826),
    ("hefei", "Hefei", "合肥", "ah", "new 1", 31.8206, 117.2272),
    ("kunming", "Kunming", "昆明", "yn", "2", 25.0389, 102.7183),
    ("shenyang", "Shenyang", "沈阳", "ln", "2", 41.8057, 123.4315),
    ("jinan", "Jinan", "济南", "sd", "2", 36.6512, 117.1201),
    ("xiamen", "Xiamen", "厦门", "fj", "2", 24.4798, 118.0894),
    ("fuzhou", "Fuzhou", "福州", "fj", "2", 26.0745, 119.2965),
    ("wenzhou", "Wenzhou", "温州", "zj", "2", 27.9938, 120.6994),
    ("changzhou", "Changzhou", "常州", "js", "2", 31.8107, 119.9741),
    ("dalian", "Dalian", "大连", "ln", "2", 38.9140, 121.6147),
    ("shijiazhuang", "Shijiazhuang", "石家庄", "he", "2", 38.0428, 114.5149),
    ("nanning", "Nanning", "南宁", "gx", "2", 22.8170, 108.3665),
    ("harbin", "Harbin", "哈尔滨", "hl", "2", 45.8038, 126.5350),
    ("jinhua", "Jinhua", "金华", "zj", "2", 29.0790, 119.6474),
    ("nanchang", "Nanchang", "南昌", "jx", "2", 28.6829, 115.8582),
    ("changchun", "Changchun", "长春", "jl", "2", 43.8171, 125.3235),
    ("nantong", "Nantong", "南通", "js", "2", 31.9802, 120.8943),
    ("quanzhou", "Quanzhou", "泉州", "fj", "2", 24.8741, 118.6757),
    ("guiyang", "Guiyang", "贵阳", "gz", "2", 26.6470, 106.6302),
    ("jiaxing", "Jiaxing", "嘉兴", "zj", "2", 30.7469, 120.7555),
    ("taiyuan", "Taiyuan", "太原", "sx", "2", 37.8706, 112.5489),
    ("huizhou", "Huizhou", "惠州", "gd", "2", 23.1115, 114.4162),
    ("xuzhou", "Xuzhou", "徐州", "js", "2", 34.2058, 117.2853),
    ("shaoxing", "Shaoxing", "绍兴", "zj", "2", 29.9958, 120.5861),
    ("taizhou-zj", "Taizhou", "台州", "zj", "2", 28.6564, 121.4208),
    ("yantai", "Yantai", "烟台", "sd", "2", 37.4638, 121.4479),
    ("zhuhai", "Zhuhai", "珠海", "gd", "2", 22.2710, 113.5767),
    ("baoding", "Baoding", "保定", "he", "2", 38.8739, 115.4646),
    ("weifang", "Weifang", "潍坊", "sd", "2", 36.7069, 119.1618),
    ("lanzhou", "Lanzhou", "兰州", "gs", "2", 36.0611, 103.8343),
    ("zhongshan", "Zhongshan", "中山", "gd", "2", 22.5176, 113.3926),
    ("linyi", "Linyi", "临沂", "sd", "2", 35.1041, 118.3565),
    ("foshan", "Foshan", "佛山", "gd", "2", 23.0215, 113.1214),
    ("hohhot", "Hohhot", "呼和浩特", "nm", "3", 40.8424, 111.7490),
    ("urumqi", "Urumqi", "乌鲁木齐", "xj", "3", 43.8256, 87.6168),
    ("haikou", "Haikou", "海口", "hi", "3", 20.0440, 110.1999),
    ("yinchuan", "Yinchuan", "银川", "nx", "3", 38.4872, 106.2309),
    ("xining", "Xining", "西宁", "qh", "3", 36.6171, 101.7782),
    ("tangshan", "Tangshan", "唐山", "he", "3", 39.6305, 118.1802),
    ("luoyang", "Luoyang", "洛阳", "ha", "3", 34.6197, 112.4540),
    ("yangzhou", "Yangzhou", "扬州", "js", "3", 32.3942, 119.4129),
    ("yancheng", "Yancheng", "盐城", "js", "3", 33.3476, 120.1633),
    ("huzhou", "Huzhou", "湖州", "zj", "3", 30.8943, 120.0868),
    ("wuhu", "Wuhu", "芜湖", "ah", "3", 31.3526, 118.4331),
    ("ganzhou", "Ganzhou", "赣州", "jx", "3", 25.8310, 114.9334),
    ("liuzhou", "Liuzhou", "柳州", "gx", "3", 24.3264, 109.4160),
    ("guilin", "Guilin", "桂林", "gx", "3", 25.2736, 110.2900),
    ("sanya", "Sanya", "三亚", "hi", "3", 18.2528, 109.5120),
    ("mianyang", "Mianyang", "绵阳", "sc", "3", 31.4675, 104.6794),
    ("yichang", "Yichang", "宜昌", "hb", "3", 30.6919, 111.2865),
    ("xiangyang", "Xiangyang", "襄阳", "hb", "3", 32.0090, 112.1223),
    ("zhuzhou", "Zhuzhou", "株洲", "hn", "3", 27.8274, 113.1340),
    ("hengyang", "Hengyang", "衡阳", "hn", "3", 26.8938, 112.5719),
    ("shantou", "Shantou", "汕头", "gd", "3", 23.3540, 116.6820),
    ("jiangmen", "Jiangmen", "江门", "gd", "3", 22.5790, 113.0815),
    ("zhanjiang", "Zhanjiang", "湛江", "gd", "3", 21.2707, 110.3594),
    ("lianyungang", "Lianyungang", "连云港", "js", "3", 34.5967, 119.2216),
    ("zibo", "Zibo", "淄博", "sd", "3", 36.8131, 118.0548),
    ("jining", "Jining", "济宁", "sd", "3", 35.4149, 116.5871),
    ("handan", "Handan", "邯郸", "he", "3", 36.6256, 114.5391),
    ("datong", "Datong", "大同", "sx", "3", 40.0768, 113.3001),
    ("baotou", "Baotou", "包头", "nm", "3", 40.6571, 109.8404),
    ("zunyi", "Zunyi", "遵义", "gz", "3", 27.7254, 106.9272),
    ("xianyang", "Xianyang", "咸阳", "sn", "3", 34.3296, 108.7093),
    ("nanyang", "Nanyang", "南阳", "ha", "3", 32.9907, 112.5283),
    ("bengbu", "Bengbu", "蚌埠", "ah", "3", 32.9162, 117.3889),
    ("zhangzhou", "Zhangzhou", "漳州", "fj", "3", 24.5130, 117.6471),
    ("jiujiang", "Jiujiang", "九江", "jx", "3", 29.7051, 116.0019),
    ("yueyang", "Yueyang", "岳阳", "hn", "3", 29.3572, 113.1289),
    ("changde", "Changde", "常德", "hn", "3", 29.0316, 111.6985),
    ("huaian", "Huai'an", "淮安", "js", "3", 33.6104, 119.0153),
    ("zhenjiang", "Zhenjiang", "镇江", "js", "3", 32.1877, 119.4250),
    ("qujing", "Qujing", "曲靖", "yn", "3", 25.4900, 103.7962),
    ("putian", "Putian", "莆田", "fj", "3", 25.4540, 119.0077),
    ("langfang", "Langfang", "廊坊", "he", "3", 39.5380, 116.6837),
    ("cangzhou", "Cangzhou", "沧州", "he", "3", 38.3037, 116.8388),
    ("jilin", "Jilin", "吉林", "jl", "3", 43.8378, 126.5496),
    ("daqing", "Daqing", "大庆", "hl", "3", 46.5893, 125.1036),
    ("shangrao", "Shangrao", "上饶", "jx", "3", 28.4551, 117.9434),
    ("taian", "Tai'an", "泰安", "sd", "3", 36.2001, 117.0882),
    ("dezhou", "Dezhou", "德州", "sd", "4", 37.4355, 116.3594),
    ("xingtai", "Xingtai", "邢台", "he", "4", 37.0706, 114.5047),
    ("anyang", "Anyang", "安阳", "ha", "4", 36.0976, 114.3927),
    ("xinxiang", "Xinxiang", "新乡", "ha", "4", 35.3030, 113.9268),
    ("xuchang", "Xuchang", "许昌", "ha", "4", 34.0357, 113.8523),
    ("zhumadian", "Zhumadian", "驻马店", "ha", "4", 33.0114, 114.0220),
    ("xinyang", "Xinyang", "信阳", "ha", "4", 32.1470, 114.0913),
    ("shangqiu", "Shangqiu", "商丘", "ha", "4", 34.4143, 115.6564),
    ("kaifeng", "Kaifeng", "开封", "ha", "4", 34.7973, 114.3074),
    ("sanmenxia", "Sanmenxia", "三门峡", "ha", "4", 34.7726, 111.2003),
    ("weinan", "Weinan", "渭南", "sn", "4", 34.4994, 109.5101),
    ("baoji", "Baoji", "宝鸡", "sn", "4", 34.3619, 107.2373),
    ("tianshui", "Tianshui", "天水", "gs", "4", 34.5809, 105.7249),
    ("wuwei", "Wuwei", "武威", "gs", "4", 37.9283, 102.6380),
    ("zhangye", "Zhangye", "张掖", "gs", "4", 38.9259, 100.4498),
    ("jiuquan", "Jiuquan", "酒泉", "gs", "4", 39.7324, 98.4941),
    ("hami", "Hami", "哈密", "xj", "4", 42.8185, 93.5150),
    ("turpan", "Turpan", "吐鲁番", "xj", "4", 42.9513, 89.1895),
    ("kuytun", "Kuytun", "奎屯", "xj", "4", 44.4265, 84.9033),
    ("khorgas", "Khorgas", "霍尔果斯", "xj", "4", 44.2135, 80.4205),
    ("chenzhou", "Chenzhou", "郴州", "hn", "4", 25.7706, 113.0149),
    ("shaoguan", "Shaoguan", "韶关", "gd", "4", 24.8104, 113.5972),
    ("qinhuangdao", "Qinhuangdao", "秦皇岛", "he", "4", 39.9354, 119.6005),
    ("jinzhou", "Jinzhou", "锦州", "ln", "4", 41.0951, 121.1270),
    ("siping", "Siping", "四平", "jl", "4", 43.1664, 124.3504),
    ("tieling", "Tieling", "铁岭", "ln", "4", 42.2237, 123.8424),
    ("linfen", "Linfen", "临汾", "sx", "4", 36.0880, 111.5190),
    ("yuncheng", "Yuncheng", "运城", "sx", "4", 35.0264, 111.0071),
    ("hanzhong", "Hanzhong", "汉中", "sn", "4", 33.0676, 107.0238),
    ("guangyuan", "Guangyuan", "广元", "sc", "4", 32.4355, 105.8434),
    ("yaan", "Ya'an", "雅安", "sc", "4", 29.9805, 103.0133),
    ("xichang", "Xichang", "西昌", "sc", "4", 27.8945, 102.2644),
    ("panzhihua", "Panzhihua", "攀枝花", "sc", "4", 26.5823, 101.7186),
    ("binzhou", "Binzhou", "滨州", "sd", "4", 37.3835, 117.9708),
    ("chifeng", "Chifeng", "赤峰", "nm", "4", 42.2578, 118.8869),
    ("chengde", "Chengde", "承德", "he", "4", 40.9515, 117.9634),
    ("lishui", "Lishui", "丽水", "zj", "4", 28.4676, 119.9229),
    ("nanping", "Nanping", "南平", "fj", "4", 26.6418, 118.1777),
    ("sanming", "Sanming", "三明", "fj", "4", 26.2634, 117.6389),
    ("longyan", "Longyan", "龙岩", "fj", "4", 25.0750, 117.0173),
    ("meizhou", "Meizhou", "梅州", "gd", "4", 24.2886, 116.1225),
    ("heyuan", "Heyuan", "河源", "gd", "4", 23.7435, 114.7009),
    ("maoming", "Maoming", "茂名", "gd", "4", 21.6630, 110.9254),
    ("heze", "Heze", "菏泽", "sd", "4", 35.2333, 115.4810),
    ("fuyang", "Fuyang", "阜阳", "ah", "4", 32.8900, 115.8145),
    ("luan", "Lu'an", "六安", "ah", "4", 31.7349, 116.5236),
    ("anqing", "Anqing", "安庆", "ah", "4", 30.5431, 117.0634),
    ("jingdezhen", "Jingdezhen", "景德镇", "jx", "4", 29.2689, 117.1784),
    ("yingtan", "Yingtan", "鹰潭", "jx", "4", 28.2602, 117.0692),
    ("shangluo", "Shangluo", "商洛", "sn", "4", 33.8704, 109.9401),
    ("jingzhou", "Jingzhou", "荆州", "hb", "4", 30.3352, 112.2397),
    ("enshi", "Enshi", "恩施", "hb", "4", 30.2720, 109.4880),
    ("wanzhou", "Wanzhou", "万州", "cq", "4", 30.8078, 108.4089),
    ("nanchong", "Nanchong", "南充", "sc", "4", 30.8373, 106.1106),
    ("suining", "Suining", "遂宁", "sc", "4", 30.5333, 105.5929),
    ("huangshi", "Huangshi", "黄石", "hb", "4", 30.1998, 115.0389),
    ("ulanqab", "Ulanqab", "乌兰察布", "nm", "4", 41.0341, 113.1333),
    ("erenhot", "Erenhot", "二连浩特", "nm", "4", 43.6529, 111.9767),
    ("changzhi", "Changzhi", "长治", "sx", "4", 36.1953, 113.1163),
    ("jincheng", "Jincheng", "晋城", "sx", "4", 35.4907, 112.8520),
    ("shaoyang", "Shaoyang", "邵阳", "hn", "4", 27.2389, 111.4677),
    ("huangshan", "Huangshan", "黄山", "ah", "4", 29.7147, 118.3375),
    ("quzhou", "Quzhou", "衢州", "zj", "4", 28.9701, 118.8593),
    ("pingxiang", "Pingxiang", "萍乡", "jx", "4", 27.6229, 113.8543),
    ("huaihua", "Huaihua", "怀化", "hn", "4", 27.5699, 110.0016),
    ("kaili", "Kaili", "凯里", "gz", "4", 26.5664, 107.9816),
    ("anshun", "Anshun", "安顺", "gz", "4", 26.2456, 105.9476),
    ("bijie", "Bijie", "毕节", "gz", "4", 27.3017, 105.2916),
    ("dali", "Dali", "大理", "yn", "4", 25.6065, 100.2676),
    ("baoshan", "Baoshan", "保山", "yn", "4", 25.1120, 99.1618),
    ("ruili", "Ruili", "瑞丽", "yn", "4", 24.0129, 97.8515),
    ("ordos", "Ordos", "鄂尔多斯", "nm", "4", 39.6086, 109.7812),
    ("yulin-sn", "Yulin", "榆林", "sn", "4", 38.2852, 109.7346),
    ("yanan", "Yan'an", "延安", "sn", "4", 36.5853, 109.4897),
    ("ankang", "Ankang", "安康", "sn", "4", 32.6849, 109.0293),
    ("dazhou", "Dazhou", "达州", "sc", "4", 31.2090, 107.4680),
    ("wuzhou", "Wuzhou", "梧州", "gx", "4", 23.4769, 111.2791),
    ("shiyan", "Shiyan", "十堰", "hb", "4", 32.6292, 110.7980),
    ("pingliang", "Pingliang", "平凉", "gs", "4", 35.5430, 106.6650),
    ("beihai", "Beihai", "北海", "gx", "4", 21.4811, 109.1201),
    ("longnan", "Longnan", "陇南", "gs", "4", 33.4009, 104.9218),
    ("bazhong", "Bazhong", "巴中", "sc", "4", 31.8672, 106.7475),
    ("luzhou", "Luzhou", "泸州", "sc", "4", 28.8717, 105.4423),
    ("zhaotong", "Zhaotong", "昭通", "yn", "4", 27.3380, 103.7172),
    ("mudanjiang", "Mudanjiang", "牡丹江", "hl", "4", 44.5516, 129.6330),
    ("qiqihar", "Qiqihar", "齐齐哈尔", "hl", "4", 47.3543, 123.9180),
    ("hulunbuir", "Hulunbuir", "呼伦贝尔", "nm", "4", 49.2116, 119.7656),
    ("zhangjiakou", "Zhangjiakou", "张家口", "he", "4", 40.7685, 114.8863),
    ("bayannur", "Bayannur", "巴彦淖尔", "nm", "4", 40.7433, 107.3877),
    ("wuhai", "Wuhai", "乌海", "nm", "4", 39.6550, 106.7949),
    ("zhongwei", "Zhongwei", "中卫", "nx", "4", 37.5000, 105.1968),
    ("lvliang", "Lüliang", "吕梁", "sx", "4", 37.5193, 111.1441),
    ("lhasa", "Lhasa", "拉萨", "xz", "4", 29.6520, 91.1721),
    ("golmud", "Golmud", "格尔木", "qh", "4", 36.4025, 94.9033),
)

_RADIUS_OVERRIDES_KM = {"chongqing": 24.0, "tianjin": 22.0, "dongguan": 22.0}

# How far land reaches from the centre (km north, south, east, west) on coasts
# and borders, so that no station is scattered into the sea or over a border.
_REACH_KM: dict[str, tuple[float, float, float, float]] = {
    "shenzhen": (30.0, 1.0, 60.0, 40.0),
    "qingdao": (40.0, 1.5, 12.0, 40.0),
    "dalian": (4.0, 3.0, 8.0, 25.0),
    "xiamen": (25.0, 3.0, 5.0, 25.0),
    "haikou": (1.0, 30.0, 30.0, 30.0),
    "sanya": (25.0, 1.0, 25.0, 25.0),
    "yantai": (1.0, 30.0, 25.0, 25.0),
    "zhuhai": (15.0, 3.0, 1.0, 25.0),
    "beihai": (3.0, 2.0, 20.0, 2.0),
    "zhanjiang": (20.0, 10.0, 2.0, 20.0),
    "qinhuangdao": (25.0, 2.0, 10.0, 20.0),
    "shantou": (20.0, 2.0, 4.0, 20.0),
    "ningbo": (20.0, 20.0, 15.0, 30.0),
    "shanghai": (40.0, 40.0, 30.0, 40.0),
}


def _city(row: tuple[str, str, str, str, str, float, float]) -> City:
    key, name, name_zh, province, tier_name, lat, lon = row
    tier = CityTier(tier_name)
    radius = _RADIUS_OVERRIDES_KM.get(key, _RADIUS_KM[tier])
    return City(
        key, name, name_zh, province, tier, lat, lon, radius, _REACH_KM.get(key)
    )


CITIES: tuple[City, ...] = tuple(_city(row) for row in _CITY_ROWS)
CITY_BY_KEY: dict[str, City] = {city.key: city for city in CITIES}


def cities_of_tier(*tiers: CityTier) -> tuple[City, ...]:
    return tuple(city for city in CITIES if city.tier in tiers)
