"""Who listens to whom: the one list of the modules that register something with another domain
or layer, imported by create_app before the first request.

Registering is each module's import's effect, so a module missing here registers nothing. A
lower domain offers the seam, a higher one registers with it (voting knows no drafts or
decisions; the models know no page cache):

  module                        registers with                  what
  ----------------------------  ------------------------------  ----------------------------------
  voting/subjects.py            subjects.register_subject       votes as debate and paper subjects
  drafts/subjects.py            subjects.register_subject       drafts and amendments, likewise
  papers/subjects.py            subjects.register_subject       position papers, likewise
  decisions/subjects.py         subjects.register_subject       records and evaluations, likewise
                                voting.hooks.on_vote_page       a vote's page links its record
  drafts/voting.py              voting.hooks.register_purpose   amendment, group and adoption
                                                                votes: start, on_close (merge,
                                                                reject, adopt), option_texts
                                                                (drafts/panels.py: each
                                                                amendment's change on a ballot)
  decisions/on_vote_closed.py   voting.hooks.on_every_close     chain every closed vote, then
                                voting.hooks.on_decision        record what it decided
  accounts/watches.py           fragments.watch                 the stamps of kept page parts that
  tendencies/watches.py         fragments.watch                 a change touches, drawn afresh in
  drafts/watches.py             fragments.watch                 the committing transaction
  debate/watches.py             fragments.watch
  papers/watches.py             fragments.watch
  voting/watches.py             fragments.watch
  decisions/watches.py          fragments.watch
  filters.py (register_filters) timezones.read_in               services' messages name moments in
                                                                the viewer's zone (a mail: its
                                                                recipient's, timezones.written_for)
  main/watches.py               fragments.watch_all             the stamps every page reads: what
                                fragments.watch                 waits for members (the navigation's
                                fragments.ambient               count), the organization's zone
  notifications/hooks.py        voting.hooks.on_every_open      an outbox row, in the transaction,
                                voting.hooks.on_every_close     for each vote opened or closed and
                                accounts.hooks.on_invitation    each invitation or reset link
                                accounts.hooks.on_password_reset
  webhooks/hooks.py             voting.hooks.on_every_open      a webhook delivery per endpoint,
                                voting.hooks.on_every_close     in the transaction, for each vote
                                                                opened or closed

In the transaction (hooks, watches) a listener's failure undoes the whole change. After the
commit (deliberate/events.py) only the subscribers of an event run: today `recent.Recent`
(accounts/queries.py, tendencies/queries.py: kept counts forgotten), subscribed to its own
`recent.Changed`, and notifications/queue.py, which wakes the worker after a commit that wrote
to the outbox (`notifications.outbox.OutboxWritten`).
"""

from __future__ import annotations


def connect() -> None:
    """Import every registering module (above); importing twice registers once."""
    import deliberate.accounts.watches
    import deliberate.debate.watches
    import deliberate.decisions.on_vote_closed
    import deliberate.decisions.subjects
    import deliberate.decisions.watches
    import deliberate.drafts.subjects
    import deliberate.drafts.voting
    import deliberate.drafts.watches
    import deliberate.main.watches
    import deliberate.notifications.hooks
    import deliberate.papers.subjects
    import deliberate.papers.watches
    import deliberate.tendencies.watches
    import deliberate.voting.subjects
    import deliberate.voting.watches
    import deliberate.webhooks.hooks  # noqa: F401
