"""Links keep the format their content was made in: an archive chained before votes were
chained (format 1, plain member ids) keeps verifying, and tampering with it is still found.
Members appear in format-2 contents only as references keyed by the archive's own secret."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, text

from deliberate.accounts.models import MemberRole
from deliberate.decisions import chain, ledger, schema, services
from deliberate.decisions.models import ArchiveLink, ArchiveSecret, CommitmentEntry, LinkKind
from deliberate.decisions.verify import verify_archive
from deliberate.extensions import db
from tests.decisions.factories import sealed_record
from tests.decisions.test_verify import tamper, verify
from tests.factories import join, make_member, make_tendency


@pytest.fixture
def convener(session):
    return make_member("Format Convener", role=MemberRole.CONVENER)


@pytest.fixture
def voters(session):
    return [make_member() for _ in range(3)]


def _rechain_as_format_1(connection) -> None:
    """The chain as an archive made before votes were chained holds it: no vote links, every
    content built by the format-1 builders, and the votes so far closed before the boundary."""
    rows = db.session.scalars(select(ArchiveLink).order_by(ArchiveLink.position)).all()
    kept = [r for r in rows if r.kind != LinkKind.VOTE]
    builders = {
        LinkKind.RECORD: ledger.record_content_1,
        LinkKind.COMMITMENT: ledger.commitment_content_1,
        LinkKind.MINORITY_REPORT: ledger.minority_report_content_1,
        LinkKind.EVALUATION: ledger.evaluation_content_1,
    }
    contents = []
    for row in kept:
        stored = ledger.row_of(row.kind, row.record_id, row.vote_id, row.entry_id)
        contents.append((row, builders[LinkKind(row.kind)](stored)))
    last_vote = db.session.scalar(text("SELECT max(id) FROM votes"))
    with schema.guards_lifted(connection):
        db.session.execute(text("DELETE FROM archive_links"))
        db.session.execute(text("DELETE FROM archive_secrets"))
        previous = None
        for row, content in contents:
            link = chain.next_link(previous, row.kind, content)
            db.session.execute(
                text(
                    "INSERT INTO archive_links (position, kind, record_id, entry_id, format, "
                    "content_hash, previous_hash, hash, linked_at) VALUES (:position, :kind, "
                    ":record, :entry, 1, :content, :previous, :hash, :at)"
                ),
                {
                    "position": link.position,
                    "kind": row.kind,
                    "record": row.record_id,
                    "entry": row.entry_id,
                    "content": link.content_hash,
                    "previous": link.previous_hash,
                    "hash": link.hash,
                    "at": row.linked_at,
                },
            )
            previous = link
        db.session.add(ArchiveSecret(id=1, member_key="ab" * 32, votes_chained_after=last_vote))
        db.session.flush()
    db.session.commit()


@pytest.fixture
def old_archive(connection, convener, voters):
    records = [sealed_record(convener, voters) for _ in range(2)]
    services.record_commitment(voters[0], records[0], commits=True, disagreement="Too *soon*.")
    db.session.commit()
    _rechain_as_format_1(connection)
    return [r.id for r in records]


def test_a_chain_of_format_1_links_still_verifies(app, old_archive):
    assert set(db.session.scalars(select(ArchiveLink.format))) == {1}
    result = verify(app)
    assert result.exit_code == 0, result.output


def test_a_tampered_format_1_link_is_still_found(app, connection, old_archive):
    tamper(
        connection,
        "UPDATE commitment_entries SET commits = :commits WHERE record_id = :id",
        commits=False,
        id=old_archive[0],
    )
    result = verify(app)
    assert result.exit_code == 1
    assert f"decision record {old_archive[0]} " in result.output
    assert "(commitment): its content was changed" in result.output


def test_new_links_follow_format_1_links_in_format_2(app, old_archive, convener, voters):
    record = sealed_record(convener, voters)
    db.session.commit()
    formats = db.session.execute(
        select(ArchiveLink.kind, ArchiveLink.format).order_by(ArchiveLink.position)
    ).all()
    assert formats[-2:] == [("vote", 2), ("record", 2)]
    assert {f for _k, f in formats[:-2]} == {1}
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert ledger.vote_link(record.vote_id) is not None


# --- members in the chain -------------------------------------------------------------------


def test_a_chained_entry_names_its_member_by_a_keyed_reference(app, convener, voters):
    first, second = sealed_record(convener, voters), sealed_record(convener, voters)
    for record in (first, second):
        services.record_commitment(voters[0], record, commits=True, disagreement=None)
    entries = db.session.scalars(select(CommitmentEntry).order_by(CommitmentEntry.id)).all()
    contents = [ledger.commitment_content(entry) for entry in entries]
    key = bytes.fromhex(db.session.get_one(ArchiveSecret, 1).member_key)
    # The reference is the HMAC under the archive's own key, not the id nor a hash of it...
    assert contents[0]["member"] == ledger.member_ref(key, first.id, voters[0].id)
    # ...so trying every small id, as anyone could with a plain hash, finds nothing.
    published = contents[0]
    for guess in range(1, 5000):
        for candidate in (
            {**published, "member": guess},
            {**published, "member": hashlib.sha256(str(guess).encode()).hexdigest()},
            {**published, "member": ledger.member_ref(b"", first.id, guess)},
        ):
            assert chain.content_hash(candidate) != chain.content_hash(published)
    # One member's references on two records differ: they do not tie the records together.
    assert contents[0]["member"] != contents[1]["member"]


def test_the_key_is_the_archives_not_the_apps_secret_key(app, convener, voters):
    record = sealed_record(convener, voters)
    services.record_commitment(voters[0], record, commits=True, disagreement=None)
    db.session.commit()
    before = verify(app)
    assert before.exit_code == 0, before.output
    secret_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "rotated-" + str(secret_key)
    try:
        assert verify_archive().holds
    finally:
        app.config["SECRET_KEY"] = secret_key


def test_a_replaced_archive_key_is_found(app, connection, convener, voters):
    record = sealed_record(convener, voters)
    services.record_commitment(voters[0], record, commits=True, disagreement=None)
    db.session.commit()
    tamper(connection, "UPDATE archive_secrets SET member_key = :key", key="cd" * 32)
    result = verify(app)
    assert result.exit_code == 1
    assert f"decision record {record.id} " in result.output


def test_a_chained_entry_names_its_tendency_only_under_the_key(app, connection, convener):
    """A tendency of one member would name her: the chain, and so the export, holds each
    entry's tendency as a reference of its own under the archive's key."""
    lone, first, second = make_member(), make_member(), make_member()
    small, large = make_tendency("The Lone Current"), make_tendency("The Wide Current")
    join(lone, small)
    join(first, large)
    join(second, large)
    record = sealed_record(convener, [lone, first, second])
    for member in (lone, first, second):
        services.record_commitment(member, record, commits=True, disagreement=None)
    entries = db.session.scalars(
        select(CommitmentEntry).where(CommitmentEntry.record_id == record.id)
    ).all()
    contents = {entry.member_id: ledger.commitment_content(entry) for entry in entries}
    for member_id, content in contents.items():
        assert content["tendency"] not in (small.id, large.id, None), member_id
    # Two members of one tendency hold different references: no group can be counted.
    assert contents[first.id]["tendency"] != contents[second.id]["tendency"]
    # Guessing the tendency without the key finds nothing.
    published = contents[lone.id]
    for guess in (small.id, large.id, None):
        candidate = {
            **published,
            "tendency": ledger.tendency_ref(b"", record.id, lone.id, 1, guess),
        }
        assert chain.content_hash(candidate) != chain.content_hash(published)
    record_id, lone_id, large_id = record.id, lone.id, large.id
    db.session.commit()
    assert verify(app).exit_code == 0
    # The tendency is still vouched for: changing it in the stored entry is found.
    tamper(
        connection,
        "UPDATE commitment_entries SET tendency_id = :t WHERE member_id = :m",
        t=large_id,
        m=lone_id,
    )
    result = verify(app)
    assert result.exit_code == 1
    assert f"decision record {record_id} " in result.output
