"""The security suite's world, built once per module; each case runs in a savepoint of it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection

from deliberate.extensions import db, limiter
from tests.conftest import login_with_id, rolled_back_connection
from tests.security.world import ROLES, STATES, World, build_world, placeholder_values


@dataclass
class BuiltWorld:
    """What URLs and logins need of the world, and how to reload its objects."""

    connection: Connection
    values: dict[str, str]
    objects: dict[str, tuple[type, int]]
    logins: dict[str, str]

    def reload(self) -> World:
        world: World = dict(self.values.items())
        for name, (model, object_id) in self.objects.items():
            world[name] = db.session.get_one(model, object_id)
        return world


@pytest.fixture(scope="module")
def built(app: Flask) -> Iterator[BuiltWorld]:
    """One world for every case of a module, in a transaction rolled back at its end."""
    with app.app_context(), rolled_back_connection(app) as connection:
        world = build_world()
        db.session.commit()
        objects = {
            name: (type(obj), obj.id)
            for name, obj in world.items()
            if not isinstance(obj, str) and hasattr(obj, "__table__")
        }
        logins = {role: world[role].get_id() for role in ROLES if role != "anonymous"}
        values = placeholder_values(world)
        db.session.remove()  # each case's sessions start below the case's own savepoint
        yield BuiltWorld(connection, values, objects, logins)


@contextmanager
def world_case(built: BuiltWorld, state: str | None = None) -> Iterator[None]:
    """Run one case against the world as built (in `state`), then undo all it did."""
    # A savepoint of our own, below every SAVEPOINT the sessions make and release.
    built.connection.exec_driver_sql("SAVEPOINT world_case")
    limiter.reset()
    try:
        if state:
            STATES[state](built.reload())
        yield
    finally:
        db.session.remove()
        built.connection.exec_driver_sql("ROLLBACK TO SAVEPOINT world_case")
        built.connection.exec_driver_sql("RELEASE SAVEPOINT world_case")


def client_as(app: Flask, built: BuiltWorld, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        login_with_id(client, built.logins[role])
    return client
