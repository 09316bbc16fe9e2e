"""Knowledge bases (catalog §B.16): create / list / detail / update / DELETE-with-a-body against the offline
Akool, which keeps them as records of its store (they survive a restart on the same data directory)."""
from __future__ import annotations

import uuid

import httpx
import pytest

import akool_nb as ak
from akool_nb._base_client import APIRequest
from akool_nb.models.knowledge import KnowledgeBase
from akool_nb.sim.api import knowledge as sim_knowledge

from .conftest import API_KEY
from .docs_examples import example
from .simctl import control, last_body

KB = "/api/open/v4/knowledge"
DOC = {"name": "manual.pdf", "url": "https://example.com/manual.pdf", "size": 1024}


def unique(prefix: str = "KB") -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@pytest.fixture
def kbs(client):
    """Knowledge bases made by a test; deleted afterwards so names and counts stay clean."""
    made: list[KnowledgeBase] = []
    yield made
    for kb in made:
        try:
            client.knowledge.delete(kb)
        except ak.NotFoundError:
            pass


def test_create_list_detail_update_delete(client, sim, kbs, tmp_path):
    notes = tmp_path / "faq.md"
    notes.write_text("# FAQ\nOpening hours: 9 to 5.\n")
    name = unique("Support")
    kb = client.knowledge.create(name=name, prologue="Hello! How can I help?", prompt="Answer from the FAQ.",
                                 docs=[notes, DOC], urls=["https://example.com/help"])
    kbs.append(kb)
    sent = last_body(sim, f"{KB}/create")
    assert sent["docs"][0]["name"] == "faq.md" and sent["docs"][0]["size"] == notes.stat().st_size
    assert httpx.get(sent["docs"][0]["url"]).text == notes.read_text()  # the local file was uploaded
    assert sent["docs"][1] == DOC and sent["urls"] == ["https://example.com/help"]
    assert kb.id and kb.name == name and kb.from_ == 2 and kb.user_type == 2 and kb.team_id
    assert kb.create_time == kb.update_time and kb.knowledge_id == kb.id

    later = client.knowledge.create(name=unique("Later"))
    kbs.append(later)
    listed = client.knowledge.list(size=100)
    ids = [k.id for k in listed]
    assert ids.index(later.id) < ids.index(kb.id)  # newest first
    assert [k.id for k in client.knowledge.list(name=name.split()[1])] == [kb.id]
    assert control(sim, "requests")[-1]["query"] == {"page": "1", "size": "10", "name": name.split()[1]}

    assert client.knowledge.detail(kb.id).prompt == "Answer from the FAQ."
    updated = client.knowledge.update(kb, name=name + " v2", prologue="", docs=[DOC])
    assert last_body(sim, f"{KB}/update") == {"id": kb.id, "name": name + " v2", "prologue": "", "docs": [DOC]}
    assert updated.name == name + " v2" and updated.prologue == "" and updated.docs == [DOC]
    assert updated.urls == ["https://example.com/help"] and updated.prompt == "Answer from the FAQ."
    assert updated.update_time > updated.create_time
    assert client.knowledge.detail(kb).name == name + " v2"

    assert client.knowledge.delete(kb) is None
    recorded = [r for r in control(sim, "requests") if r["path"] == f"{KB}/delete"][-1]
    assert recorded["method"] == "DELETE" and recorded["json"] == {"id": kb.id}
    with pytest.raises(ak.NotFoundError) as info:
        client.knowledge.detail(kb.id)
    assert info.value.code == 1232
    with pytest.raises(ak.NotFoundError):
        client.knowledge.delete(kb.id)


def test_names_are_unique(client, kbs):
    first = client.knowledge.create(name=unique())
    kbs.append(first)
    with pytest.raises(ak.APIError) as info:
        client.knowledge.create(name=first.name)
    assert info.value.code == 1233 and "already named" in str(info.value)
    other = client.knowledge.create(name=unique())
    kbs.append(other)
    with pytest.raises(ak.APIError) as info:
        client.knowledge.update(other, name=first.name)
    assert info.value.code == 1233
    assert client.knowledge.update(first, name=first.name).name == first.name  # keeping its own name is fine


def test_the_other_knowledge_codes(client, kbs, monkeypatch):
    for call, code in [(lambda: client.knowledge.detail("not-an-id"), 1236),
                       (lambda: client.knowledge.update("not-an-id", name="x"), 1235),
                       (lambda: client.knowledge.update("0" * 24, name="x"), 1232)]:
        with pytest.raises(ak.APIError) as info:
            call()
        assert info.value.code == code, str(info.value)
    monkeypatch.setattr(sim_knowledge, "MAX_KNOWLEDGE", len(client.knowledge.list(size=100)))
    with pytest.raises(ak.APIError) as info:
        client.knowledge.create(name=unique())
    assert info.value.code == 1234 and "Knowledge creation error" in str(info.value)


def test_knowledge_survives_a_restart_of_the_service(tmp_path):
    from akool_nb import sim as offline

    with offline.start(api_key=API_KEY, fast=True, data_dir=tmp_path / "data") as first:
        client = ak.Akool(api_key=API_KEY, base_url=first.base_url, offline=True, journal=False)
        kb = client.knowledge.create(name="Kept", docs=[DOC])
        client.close()
    with offline.start(api_key=API_KEY, fast=True, data_dir=tmp_path / "data") as second:
        client = ak.Akool(api_key=API_KEY, base_url=second.base_url, offline=True, journal=False)
        again = client.knowledge.detail(kb.id)
        client.close()
    assert again.name == "Kept" and again.docs == [DOC] and again.create_time == kb.create_time


@pytest.mark.anyio
async def test_async_client_manages_knowledge(aclient):
    kb = await aclient.knowledge.create(name=unique("Async"))
    assert (await aclient.knowledge.detail(kb.id)).name == kb.name
    await aclient.knowledge.delete(kb)


# -- validation before any request ------------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda c: c.knowledge.create(name="n" * 101), "(101 characters): is 101 characters; at most 100 are allowed"),
    (lambda c: c.knowledge.create(prologue="p" * 2001), "(2,001 characters): is 2001 characters; at most 2000 are allowed"),
    (lambda c: c.knowledge.create(prompt="p" * 10001), "(10,001 characters): is 10001 characters; at most 10000 are allowed"),
    (lambda c: c.knowledge.create(docs=[{**DOC, "name": "tool.exe", "url": "https://x.com/tool.exe"}]),
     ".exe files are not supported"),
    (lambda c: c.knowledge.create(docs=[{**DOC, "size": 104_857_601}]), "docs[0].size=104857601: is 104857601 bytes; a document"),
    (lambda c: c.knowledge.create(docs=[{**DOC, "size": 100_000_000}] * 6), "at most 500MB"),
    (lambda c: c.knowledge.create(docs=[{**DOC, "url": "manual.pdf"}]), "is not an http(s) URL"),
    (lambda c: c.knowledge.create(docs=["https://example.com/a.pdf"]), "needs its size in bytes"),
    (lambda c: c.knowledge.create(docs=["photo.png"]), ".png files are not supported"),
    (lambda c: c.knowledge.create(docs=["missing.pdf"]), "cannot read 'missing.pdf'"),
    (lambda c: c.knowledge.create(urls=["www.example.com"]), "'www.example.com' is not an http(s) URL"),
    (lambda c: c.knowledge.list(page=0), "page=0: must be a whole number from 1 to 1,000,000"),
    (lambda c: c.knowledge.list(size=101), "size=101: must be a whole number from 1 to 100"),
    (lambda c: c.knowledge.list(from_=3), "from_=3 (sent as from): must be one of 1, 2 (1 system, 2 user)"),
    (lambda c: c.knowledge.detail(""), "id='': is empty; pass the knowledge base _id"),
    (lambda c: c.knowledge.update("", name="x"), "id='': is empty"),
    (lambda c: c.knowledge.delete(None), "id=None: must be the knowledge base _id (a string)"),
])
def test_bad_input_is_refused_before_any_request(client, sim, call, message):
    control(sim, "reset", {})
    with pytest.raises(ak.InvalidParameterError) as info:
        call(client)
    assert message in str(info.value)
    assert control(sim, "stats")["requests"] == 0


@pytest.mark.parametrize("path, body, message", [
    ("create", {"name": "n" * 101}, "name must be at most 100 characters"),
    ("create", {"prologue": "p" * 2001}, "prologue must be at most 2000 characters"),
    ("create", {"prompt": 5}, "prompt must be a string"),
    ("create", {"docs": [{"url": "https://x.com/a.pdf", "size": 1}]}, "docs[0].name is required"),
    ("create", {"docs": [{"name": "a.pdf", "url": "a.pdf", "size": 1}]}, "docs[0].url must be an http(s) URL"),
    ("create", {"docs": [{"name": "a.pdf", "url": "https://x.com/a.pdf"}]}, "docs[0].size is required"),
    ("create", {"docs": [{"name": "a.pdf", "url": "https://x.com/a.pdf", "size": 104_857_601}]},
     "docs[0].size must be between 0 and 104857600 bytes"),
    ("create", {"docs": [{"name": "a.exe", "url": "https://x.com/a.exe", "size": 1}]}, "docs[0].name must be a PDF"),
    ("create", {"docs": [{"name": "a.pdf", "url": "https://x.com/a.pdf", "size": 100_000_000}] * 6},
     "docs must total at most 524288000 bytes"),
    ("create", {"urls": ["nope"]}, "urls[0] must be an http(s) URL"),
    ("create", {"docs": "a.pdf"}, "docs must be an array"),
    ("update", {"name": "x"}, "id is required"),
])
def test_service_answers_1003_naming_the_field(client, path, body, message):
    with pytest.raises(ak.InvalidRequestError) as info:
        client._request(APIRequest("POST", f"{KB}/{path}", json=body))
    assert info.value.code == 1003 and message in str(info.value)


def test_service_checks_the_query_and_the_delete_body(client):
    for req, message in [(APIRequest("GET", f"{KB}/detail"), "id is required"),
                         (APIRequest("GET", f"{KB}/list", params={"size": "0"}), "size must be a positive integer"),
                         (APIRequest("GET", f"{KB}/list", params={"from": "5"}), "from must be 1 or 2"),
                         (APIRequest("DELETE", f"{KB}/delete", json={}), "id is required"),
                         (APIRequest("DELETE", f"{KB}/delete"), "body must be a JSON object")]:
        with pytest.raises(ak.InvalidRequestError) as info:
            client._request(req)
        assert info.value.code == 1003 and message in str(info.value)


# -- contract: the docs' example bodies go on the wire unchanged -------------------------------------------------
def test_create_example(client, sim, kbs):
    body = example("#### B.16.2")
    kbs.append(client.knowledge.create(name=body["name"], prologue=body["prologue"], prompt=body["prompt"],
                                       docs=body["docs"], urls=body["urls"]))
    assert last_body(sim, f"{KB}/create") == body
    assert kbs[0].docs == body["docs"] and kbs[0].urls == body["urls"]


def test_update_example(client, sim):
    body = example("#### B.16.4")
    with pytest.raises(ak.NotFoundError):  # the example's id does not exist offline; the body was sent anyway
        client.knowledge.update(body["id"], name=body["name"], prologue=body["prologue"], prompt=body["prompt"],
                                docs=body["docs"], urls=body["urls"])
    assert last_body(sim, f"{KB}/update") == body


def test_delete_and_detail_examples(client, sim):
    body = {"id": "64f8a1b2c3d4e5f6a7b8c9d0"}  # catalog B.16.5, verbatim
    with pytest.raises(ak.NotFoundError):
        client.knowledge.delete(body["id"])
    assert last_body(sim, f"{KB}/delete") == body
    with pytest.raises(ak.NotFoundError):
        client.knowledge.detail(body["id"])  # curl '.../knowledge/detail?id=64f8a1b2c3d4e5f6a7b8c9d0'
    assert control(sim, "requests")[-1]["query"] == body
    client.knowledge.list()  # curl '.../knowledge/list?page=1&size=10'
    assert control(sim, "requests")[-1]["query"] == {"page": "1", "size": "10"}
