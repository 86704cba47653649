"""On the demo's data (`flask seed-demo`), the API answers with believable content of every kind,
each answer as its OpenAPI document says."""

from openapi_schema_validator import OAS31Validator, validate


def _conforms(spec, body, name):
    validate(body, {"$ref": f"#/components/schemas/{name}", **spec}, cls=OAS31Validator)


def test_the_demo_gives_the_api_something_of_each_kind(app, api, seeded_demo):
    spec = api.get("/api/v1/openapi.json").get_json()
    pages = {
        "/api/v1/opportunities?status=all": "OpportunityPage",
        "/api/v1/suppliers": "SupplierPage",
        "/api/v1/contracts": "ContractPage",
        "/api/v1/dps": "DpsList",
        "/api/v1/lots": "LotList",
    }
    found = {}
    for url, name in pages.items():
        response = api.get(url)
        assert response.status_code == 200, url
        body = response.get_json()
        _conforms(spec, body, name)
        assert body["items"], f"the demo gives {url} nothing"
        found[url] = body["items"]
    for item in found["/api/v1/opportunities?status=all"][:5]:
        _conforms(spec, api.get(f"/api/v1/opportunities/{item['id']}").get_json(), "Opportunity")
    for item in found["/api/v1/contracts"][:3]:
        _conforms(spec, api.get(f"/api/v1/contracts/{item['id']}").get_json(), "Contract")
    contract = found["/api/v1/contracts"][0]
    assert contract["value_pence"] > 0 and contract["supplier"]["name"]
    assert any(s["vcse"] for s in found["/api/v1/suppliers"])
    assert {o["status"] for o in found["/api/v1/opportunities?status=all"]} >= {"open", "awarded"}
