"""Reference geography: regions and the local authorities suppliers choose from."""

from app.reference import geography


def test_twelve_regions_in_ons_order():
    regions = geography.regions()
    assert len(regions) == 12
    assert (regions[0].code, regions[0].name) == ("TLC", "North East")
    assert (regions[-1].code, regions[-1].name) == ("TLN", "Northern Ireland")
    assert geography.region("TLE").name == "Yorkshire and The Humber"
    assert geography.region("XXX") is None and geography.region(None) is None


def test_current_councils_cover_the_uk_once():
    authorities = geography.local_authorities()
    assert len(authorities) == 361
    assert {la.tier for la in authorities} == {"lower tier", "unitary", "ni district"}
    assert all(la.current for la in authorities)
    assert len({la.code for la in authorities}) == 361
    names = [la.name for la in authorities]
    assert names == sorted(names, key=str.casefold)
    assert {"Leeds", "Manchester", "City of Bristol", "Glasgow City"} <= set(names)
    # Every nation is covered, and every council has a region.
    assert {la.nation for la in authorities} == {"England", "Wales", "Scotland", "Northern Ireland"}
    assert all(geography.region(la.region_code) for la in authorities)


def test_county_and_combined_authorities_are_not_choices():
    codes = {la.code for la in geography.local_authorities()}
    assert "KEN" not in codes  # Kent County Council, upper tier
    assert "WYCA" not in codes  # West Yorkshire Combined Authority
    assert geography.local_authority("KEN").tier == "upper tier"


def test_every_row_is_available_when_asked_for():
    everything = geography.local_authorities(current_only=False)
    assert len(everything) == 470
    former = [la for la in everything if not la.current]
    assert len(former) == 73
    # An old code still has a name and a region.
    assert geography.local_authority(former[0].code).name == former[0].name


def test_region_for_local_authority():
    assert geography.region_for_local_authority("LDS").code == "TLE"
    assert geography.region_for_local_authority("MAN").name == "North West"
    assert geography.region_for_local_authority("BST").code == "TLK"
    assert geography.region_for_local_authority("CRF").name == "Wales"
    assert geography.region_for_local_authority("NOPE") is None
    assert geography.region_for_local_authority(None) is None


def test_files_are_read_once():
    geography.local_authorities()
    before = geography._data.cache_info()
    geography.regions()
    geography.local_authorities()
    geography.region_for_local_authority("LDS")
    after = geography._data.cache_info()
    assert after.misses == before.misses
    assert after.currsize == 1


def test_an_area_is_named_by_its_council_and_region():
    leeds = next(la for la in geography.local_authorities() if la.name == "Leeds")
    assert geography.area_name(leeds.code) == "Leeds, Yorkshire and The Humber"
    # A region given wins over the council's own; either alone is named; nothing is empty.
    assert geography.area_name(leeds.code, "TLC") == "Leeds, North East"
    assert geography.area_name(None, "TLE") == "Yorkshire and The Humber"
    assert geography.area_name(None) == "" and geography.area_name("XXX", "YYY") == ""
