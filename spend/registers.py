"""Public registers, loaded by the operator from their published files to classify the suppliers
in spend files that are not in the directory:

- the **Charity Commission** for England and Wales's register extract (``publicextract.charity``:
  tab-separated text, or the zip it comes in): every registered main charity (not its linked
  charities, nor removed ones) is a VCSE;
- **Companies House**'s basic company data (``BasicCompanyDataAsOneFile-….csv`` or a part, or
  its zip): a community interest company or a registered society is a VCSE, any other company is
  not (unless a register also lists it as a charity or a mutual); an SME by the accounts it files
  (micro-entity, small, total exemption, abridged or medium: yes; full or group: no; dormant or
  none filed: not known);
- the FCA's **Mutuals Public Register** (``SocietyList.csv``): a registered co-operative,
  community benefit society or credit union is a VCSE; a building or friendly society is not.

Each file is read as a stream, by its column names, and copied in (COPY on PostgreSQL, batches
elsewhere) in one transaction that first removes what that register held: loading the same file
again changes nothing, and a file that fails half-way leaves the previous load in place.

A supplier name in spend that matched no organisation is looked up by its normalised name
(``matching.supplier_key``); when several registers list it, a VCSE in any counts, and the SME
answer and postcode are the first known (``classify.register_facts_of``).
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.organisations.identifiers import normalise_postcode
from spend.matching import supplier_key
from spend.models import Register, RegisterEntry

BATCH = 5000
# The small extracts the project ships (tests and the demo load them).
SAMPLES = Path(__file__).resolve().parent / "data" / "registers"
SAMPLE_FILES = {
    Register.CHARITY: SAMPLES / "publicextract.charity.sample.txt",
    Register.COMPANY: SAMPLES / "BasicCompanyData.sample.csv",
    Register.MUTUAL: SAMPLES / "SocietyList.sample.csv",
}
COLUMNS = (
    "register",
    "number",
    "name",
    "name_key",
    "postcode",
    "legal_form",
    "vcse",
    "sme",
    "basis",
)


class NotARegisterFile(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    number: str
    name: str
    postcode: str | None
    legal_form: str | None
    vcse: bool | None
    sme: bool | None
    basis: str


# --- Reading each register's file -------------------------------------------------------------------


def _open(path, suffixes=(".csv", ".txt")):
    """The file as text (a byte-order mark dropped), or the biggest such file in a zip."""
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.infolist() if m.filename.lower().endswith(suffixes)]
        if not members:
            raise NotARegisterFile("The zip file holds no CSV or text file")
        member = max(members, key=lambda m: m.file_size)
        return io.TextIOWrapper(archive.open(member), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _records(stream, required, delimiter=","):
    """Each row as {column name, stripped: value, stripped}, after checking the heading row."""
    reader = csv.reader(stream, delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    missing = [name for name in required if name not in header]
    if missing:
        raise NotARegisterFile(
            f"This file does not have the register's columns: {', '.join(missing)} missing"
        )
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        yield {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}


def charities(stream):
    """Entries of the Charity Commission's register extract (tab-separated)."""
    required = (
        "registered_charity_number",
        "linked_charity_number",
        "charity_name",
        "charity_registration_status",
        "charity_contact_postcode",
    )
    for row in _records(stream, required, delimiter="\t"):
        if row["linked_charity_number"] not in ("", "0"):
            continue  # a linked charity: counted with its main charity
        if row["charity_registration_status"].casefold() != "registered":
            continue
        is_cio = row.get("charity_is_cio", "").casefold() == "true"
        yield Entry(
            number=row["registered_charity_number"],
            name=row["charity_name"],
            postcode=normalise_postcode(row["charity_contact_postcode"]),
            legal_form="Charitable incorporated organisation"
            if is_cio
            else (row.get("charity_type") or "Charity"),
            vcse=True,
            sme=None,
            basis="a charity registered in England and Wales",
        )


SME_ACCOUNTS = {
    "MICRO ENTITY": True,
    "SMALL": True,
    "TOTAL EXEMPTION FULL": True,
    "TOTAL EXEMPTION SMALL": True,
    "UNAUDITED ABRIDGED": True,
    "AUDITED ABRIDGED": True,
    "MEDIUM": True,
    "FULL": False,
    "GROUP": False,
}
VCSE_COMPANIES = {
    "community interest company": "a community interest company",
    "registered society": "a registered society (a co-operative or community benefit society)",
    "industrial and provident society": "a registered society (an industrial and provident "
    "society)",
}


def companies(stream):
    """Entries of Companies House's basic company data (its headings have stray spaces)."""
    required = (
        "CompanyName",
        "CompanyNumber",
        "RegAddress.PostCode",
        "CompanyCategory",
        "CompanyStatus",
        "Accounts.AccountCategory",
    )
    for row in _records(stream, required):
        category = row["CompanyCategory"]
        vcse_basis = VCSE_COMPANIES.get(category.casefold())
        accounts = row["Accounts.AccountCategory"].upper()
        sme = SME_ACCOUNTS.get(accounts)
        size = (
            f"files {accounts.lower()} accounts"
            if sme is not None
            else "files no accounts that show its size"
        )
        yield Entry(
            number=row["CompanyNumber"].upper(),
            name=row["CompanyName"],
            postcode=normalise_postcode(row["RegAddress.PostCode"]),
            legal_form=category or None,
            vcse=vcse_basis is not None,
            sme=sme,
            basis=f"{vcse_basis or 'a company (' + (category or 'not known') + ')'} at "
            f"Companies House; {size}",
        )


VCSE_MUTUALS = {
    "co-operative society": True,
    "community benefit society": True,
    "credit union": True,
    "building society": False,
    "friendly society": False,
}
_POSTCODE_AT_END = re.compile(r"([A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2})\s*$", re.IGNORECASE)


def mutuals(stream):
    """Entries of the Mutuals Public Register's society list (the postcode ends the address)."""
    required = ("Society Name", "Full Registation Number", "Registered As", "Society Status")
    for row in _records(stream, required):
        if row["Society Status"].casefold() != "registered":
            continue
        form = row["Registered As"]
        vcse = VCSE_MUTUALS.get(form.casefold())
        found = _POSTCODE_AT_END.search(row.get("Society Address", ""))
        yield Entry(
            number=row["Full Registation Number"],
            name=row["Society Name"],
            postcode=normalise_postcode(found.group(1)) if found else None,
            legal_form=form or None,
            vcse=vcse,
            sme=None,
            basis=f"a {form.lower() or 'society'} on the Mutuals Public Register",
        )


READERS = {Register.CHARITY: charities, Register.COMPANY: companies, Register.MUTUAL: mutuals}


# --- Loading ----------------------------------------------------------------------------------------


def _row(register, entry):
    return (
        register.value,
        entry.number[:20],
        entry.name[:300],
        supplier_key(entry.name)[:300],
        entry.postcode,
        (entry.legal_form or "")[:120] or None,
        entry.vcse,
        entry.sme,
        entry.basis[:200],
    )


def load(register, path):
    """Replace ``register``'s entries with the file at ``path``; returns how many were loaded."""
    try:
        return _load_register(register, path)
    except Exception:
        db.session.rollback()
        raise


def _load_register(register, path):
    register = Register(register)
    with _open(path) as stream:
        connection = db.session.connection()
        db.session.execute(sa.delete(RegisterEntry).where(RegisterEntry.register == register))
        seen, count = set(), 0
        rows = (_row(register, e) for e in READERS[register](stream) if e.number and e.name)
        if connection.dialect.name == "postgresql":
            raw = connection.connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(
                    f"COPY spend_register_entries ({', '.join(COLUMNS)}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        if row[1] in seen:
                            continue
                        seen.add(row[1])
                        copy.write_row(row)
                        count += 1
        else:
            batch = []
            for row in rows:
                if row[1] in seen:
                    continue
                seen.add(row[1])
                values = dict(zip(COLUMNS, row, strict=True))
                values["register"] = register
                batch.append(values)
                count += 1
                if len(batch) >= BATCH:
                    db.session.execute(sa.insert(RegisterEntry), batch)
                    batch = []
            if batch:
                db.session.execute(sa.insert(RegisterEntry), batch)
    db.session.commit()
    return count


def entries_by_key(keys):
    """{name key: [RegisterEntry]} of these normalised names."""
    keys = sorted({k for k in keys if k})
    found = {}
    for start in range(0, len(keys), BATCH):
        for entry in db.session.execute(
            sa.select(RegisterEntry)
            .where(RegisterEntry.name_key.in_(keys[start : start + BATCH]))
            .order_by(RegisterEntry.register, RegisterEntry.number)
        ).scalars():
            found.setdefault(entry.name_key, []).append(entry)
    return found


def counts():
    """{Register: entries loaded}."""
    return dict(
        db.session.execute(
            sa.select(RegisterEntry.register, sa.func.count()).group_by(RegisterEntry.register)
        ).all()
    )
