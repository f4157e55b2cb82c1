"""Name pools by region, and email domains: the raw material of the sample world's people."""

from __future__ import annotations


def _split(names: str) -> tuple[str, ...]:
    return tuple(names.split(","))


WESTERN_FIRST = _split(
    "James,Mary,Robert,Patricia,John,Jennifer,Michael,Linda,David,Elizabeth,William,Barbara,Richard,"
    "Susan,Joseph,Jessica,Thomas,Sarah,Chris,Karen,Daniel,Lisa,Matthew,Nancy,Anthony,Sandra,Mark,"
    "Ashley,Steven,Emily,Andrew,Michelle,Joshua,Amanda,Kevin,Melissa,Brian,Olivia,George,Sophie,"
    "Oliver,Chloe,Harry,Grace,Jack,Ella,Liam,Mia,Noah,Zoe,Carlos,Maria,Luis,Sofia,Diego,Lucia,Aisha,"
    "Priya,Wei,Mei,Thandiwe,Sipho,Lerato,Kwame,Fatima,Omar,Siobhan,Niamh,Callum,Isla"
)
WESTERN_LAST = _split(
    "Smith,Johnson,Williams,Brown,Jones,Garcia,Miller,Davis,Rodriguez,Martinez,Hernandez,Lopez,"
    "Wilson,Anderson,Thomas,Taylor,Moore,Jackson,Martin,Lee,Thompson,White,Harris,Clark,Lewis,"
    "Robinson,Walker,Young,Allen,King,Wright,Scott,Green,Baker,Adams,Nelson,Hill,Campbell,Mitchell,"
    "Roberts,O'Brien,O'Connor,MacDonald,Murphy,Kelly,Evans,Hughes,Patel,Khan,Singh,Nguyen,Chen,Wang,"
    "Kim,Dlamini,Naidoo,van der Merwe,Botha,Cooper,Ward"
)
FILIPINO_FIRST = _split(
    "Jose,Maria,Juan,Ana,Mark,Kristine,John Paul,Angelica,Jerome,Mary Grace,Rommel,Joy,Ramon,Liza,"
    "Carlo,Jasmine,Paolo,Bea,Miguel,Camille,Rafael,Nicole,Jericho,Patricia,Emmanuel,Rhea,Ronaldo,"
    "Cherry,Arnel,Divina"
)
FILIPINO_LAST = _split(
    "Santos,Reyes,Cruz,Bautista,Ocampo,Garcia,Mendoza,Torres,Tomas,Andrada,Castillo,Flores,"
    "Villanueva,Ramos,Castro,Rivera,Aquino,Navarro,Salazar,Mercado,dela Cruz,de Leon,Gonzales,Lim,"
    "Tan,Sy,Domingo,Pascual,Manalo,Soriano"
)

# Country: (share of Filipino names, personal email domains)
REGIONS = {
    "US": (0.05, ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "comcast.net")),
    "GB": (0.03, ("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk", "icloud.com", "sky.com")),
    "PH": (0.90, ("gmail.com", "yahoo.com.ph", "outlook.com", "ymail.com", "icloud.com")),
    "AU": (0.06, ("gmail.com", "bigpond.com", "outlook.com", "icloud.com", "optusnet.com.au")),
}

# Country: (E.164 prefix, count of random digits after it)
PHONE_PLANS = {"US": ("+1", 10), "GB": ("+447", 9), "PH": ("+639", 9), "AU": ("+614", 8)}
US_AREA_CODES = ("312", "773", "214", "469", "512", "713", "615", "404", "206", "305")
