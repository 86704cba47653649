"""Public registers and the ONS postcode directory, loaded by the operator's commands from the
small extracts the project ships (in the published layouts), and the classification they give
suppliers that are not in the directory."""

import zipfile

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.reference import deprivation, postcodes
from spend import registers, reports
from spend.models import Register, RegisterEntry
from tests.spend.helpers import import_file, make_world

SAMPLES = registers.SAMPLES


@pytest.fixture
def world(app):
    return make_world()


def _invoke(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def _entries(register):
    return {
        e.name: e
        for e in db.session.execute(
            sa.select(RegisterEntry).where(RegisterEntry.register == register)
        ).scalars()
    }


def test_the_charity_register_extract_loads_main_registered_charities(app):
    result = _invoke(
        app, "spend", "load-charities", str(SAMPLES / "publicextract.charity.sample.txt")
    )
    assert result.exit_code == 0, result.output
    assert "Loaded 3 organisations" in result.output
    charities = _entries(Register.CHARITY)
    # The linked charity and the removed one are left out.
    assert set(charities) == {
        "CHAPELTOWN BEFRIENDERS",
        "SEACROFT YOUTH PROJECT",
        "WAKEFIELD DISTRICT BEFRIENDING SERVICE",
    }
    chapeltown = charities["CHAPELTOWN BEFRIENDERS"]
    assert (chapeltown.number, chapeltown.postcode, chapeltown.vcse, chapeltown.sme) == (
        "1190001",
        "LS7 3AH",
        True,
        None,
    )
    assert chapeltown.legal_form == "Charitable incorporated organisation"
    # Loaded again: the same, not twice.
    _invoke(app, "spend", "load-charities", str(SAMPLES / "publicextract.charity.sample.txt"))
    assert len(_entries(Register.CHARITY)) == 3


def test_companies_house_data_says_vcse_by_category_and_sme_by_accounts(app):
    result = _invoke(app, "spend", "load-companies", str(SAMPLES / "BasicCompanyData.sample.csv"))
    assert result.exit_code == 0, result.output
    companies = _entries(Register.COMPANY)
    assert len(companies) == 11
    aire = companies["AIRE VALLEY FACILITIES MANAGEMENT LTD"]
    assert (aire.number, aire.postcode, aire.vcse, aire.sme) == (
        "06512345",
        "BD1 1HY",
        False,
        False,
    )
    assert "files full accounts" in aire.basis
    cic = companies["HAREHILLS COMMUNITY CAFE C.I.C."]
    assert (cic.vcse, cic.sme) == (True, True) and "community interest company" in cic.basis
    assert companies["DORMANT HOLDINGS LTD"].sme is None
    assert companies["WESTGATE BUSINESS SERVICES LTD"].sme is True


def test_the_mutuals_register_loads_registered_societies_with_their_postcodes(app):
    result = _invoke(app, "spend", "load-mutuals", str(SAMPLES / "SocietyList.sample.csv"))
    assert result.exit_code == 0, result.output
    mutuals = _entries(Register.MUTUAL)
    assert set(mutuals) == {
        "Greenfield Food Co-operative Limited",
        "Leeds Community Energy Limited",
        "Yorkshire Mutual Building Society",
    }  # the deregistered society is left out
    greenfield = mutuals["Greenfield Food Co-operative Limited"]
    assert (greenfield.number, greenfield.postcode, greenfield.vcse) == ("31234R", "LS9 6AB", True)
    assert mutuals["Leeds Community Energy Limited"].postcode == "LS7 3AJ"
    assert mutuals["Yorkshire Mutual Building Society"].vcse is False


def test_a_file_without_the_registers_columns_is_refused_and_changes_nothing(app, tmp_path):
    _invoke(app, "spend", "load-mutuals", str(SAMPLES / "SocietyList.sample.csv"))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("Name,Number\nSomeone,1\n")
    result = _invoke(app, "spend", "load-mutuals", str(wrong))
    assert result.exit_code != 0
    assert "Society Name, Full Registation Number" in result.output
    assert len(_entries(Register.MUTUAL)) == 3


SPEND = (
    b"Payment Date,Supplier Name,Amount,Expense Type\n"
    b"10/04/2024,Aire Valley Facilities Management Ltd,9000,Catering\n"
    b"11/04/2024,Chapeltown Befrienders,1000,Befriending\n"
)


def test_suppliers_not_in_the_directory_are_classified_from_the_registers(app, world):
    import_file(world.buyer_user, world.buyer, SPEND)
    before = reports.report([world.buyer.id], year=2024)
    assert before.years[2024].share("vcse", "unknown") == 100
    for command, name in (
        ("load-companies", "BasicCompanyData.sample.csv"),
        ("load-charities", "publicextract.charity.sample.txt"),
    ):
        assert _invoke(app, "spend", command, str(SAMPLES / name)).exit_code == 0
    report = reports.report([world.buyer.id], year=2024)
    year = report.years[2024]
    assert year.share("vcse") == 10 and year.share("vcse", "unknown") == 0
    assert year.share("sme", "no") == 90  # Aire Valley files full accounts
    assert year.share("local") == 10  # Chapeltown is in Leeds; Aire Valley in Bradford
    kinds = {row.label: row.kind for row in report.suppliers}
    aire = kinds["Aire Valley Facilities Management Ltd"]
    assert (aire.vcse, aire.sme, aire.local, aire.decile, aire.place_method) == (
        False,
        False,
        False,
        1,
        "sector",
    )
    assert "Companies House 06512345" in aire.basis
    chapeltown = kinds["Chapeltown Befrienders"]
    assert (chapeltown.vcse, chapeltown.local, chapeltown.place_method) == (True, True, "postcode")
    assert "the Charity Commission's register 1190001" in chapeltown.basis


# --- The ONS postcode directory ---------------------------------------------------------------------


def test_the_postcode_directory_places_every_uk_postcode_by_full_postcode(app, tmp_path):
    wanted = ["BD1 1HY", "EH1 1YZ", "EH2 2AB", "BT1 1AA", "CF10 1EP", "LS3 1HS"]
    before = postcodes.lookup_all(wanted)
    assert before["BD1 1HY"].method == deprivation.SECTOR
    assert before["BT1 1AA"].method == deprivation.UNKNOWN
    result = _invoke(app, "reference", "load-postcodes", str(SAMPLES / "nspl.sample.csv"))
    assert result.exit_code == 0, result.output
    assert "Loaded 7 postcodes (7 with a deprivation decile)" in result.output
    after = postcodes.lookup_all(wanted)
    found = {p: (after[p].method, after[p].decile, after[p].index_name) for p in wanted}
    assert found == {
        "BD1 1HY": ("postcode", 1, "IMD 2025"),
        "EH1 1YZ": ("postcode", 5, "SIMD 2020v2"),  # its data zone in the shipped ranks
        "EH2 2AB": ("postcode", 2, "SIMD 2020v2"),  # the NSPL's own rank: ceil(700 x 10 / 6,976)
        "BT1 1AA": ("postcode", 3, "NIMDM 2017"),
        "CF10 1EP": ("postcode", deprivation.decile_of_lsoa("W01002019")[0], "WIMD 2025"),
        "LS3 1HS": ("postcode", 1, "IMD 2025"),  # the shipped full postcodes first
    }
    assert after["BT1 1AA"].lad_code == "N09000003"
    # The zip the NSPL comes in loads the same, replacing the earlier load.
    archive = tmp_path / "NSPL21_AUG_2024_UK.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(SAMPLES / "nspl.sample.csv", "Data/NSPL21_AUG_2024_UK.csv")
        z.writestr("Documents/README.txt", "the user guide")
    assert postcodes.load(archive).postcodes == 7
    assert (
        db.session.execute(
            sa.select(sa.func.count()).select_from(postcodes.LoadedPostcode)
        ).scalar()
        == 7
    )


def test_a_file_that_is_not_the_postcode_directory_is_refused(app, tmp_path):
    wrong = tmp_path / "postcodes.csv"
    wrong.write_text("postcode,council\nLS1 1AA,Leeds\n")
    result = _invoke(app, "reference", "load-postcodes", str(wrong))
    assert result.exit_code != 0 and "needs the columns pcds and laua" in result.output
