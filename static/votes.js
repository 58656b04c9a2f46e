// Comforts of the vote pages; every page works without this file (rank numbers, typed codes).
(() => {
  // Receipt codes are kept per member (an opaque value the page gives) and per vote, under
  // the prefix that logging out clears (app.js): on a shared browser, no member is offered
  // another's code, and none stays after its member logs out.
  const storageKey = (member, vote) => `deliberate-receipt-${member}-${vote}`;

  // The receipt page keeps the code in this browser so that replacing a ballot is easy.
  const receipt = document.querySelector("[data-receipt-code]");
  if (receipt && receipt.dataset.receiptMember) {
    try {
      localStorage.setItem(
        storageKey(receipt.dataset.receiptMember, receipt.dataset.receiptVote),
        receipt.dataset.receiptCode,
      );
    } catch (_error) { /* storage refused: the code is still shown */ }
  }
  const receiptInput = document.querySelector("[data-receipt-for]");
  if (receiptInput && !receiptInput.value && receiptInput.dataset.receiptMember) {
    try {
      receiptInput.value = localStorage.getItem(
        storageKey(receiptInput.dataset.receiptMember, receiptInput.dataset.receiptFor),
      ) || "";
    } catch (_error) { /* nothing kept */ }
  }

  // Live participation: how many have voted, never what they chose.
  const participation = document.querySelector("[data-participation-url]");
  if (participation) {
    const shown = participation.querySelector("[data-voted]");
    const refresh = () => {
      fetch(participation.dataset.participationUrl, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : null))
        .then((data) => {
          if (data && shown) shown.textContent = String(data.voted);
          if (data && data.state !== "open") window.location.reload();
        })
        .catch(() => {});
    };
    window.setInterval(refresh, 15000);
  }

  // The published receipts: find the row of the receipt this browser kept for the member, or
  // of a code someone types. The code is normalized as the server does it (case, spaces and
  // hyphens; I and L read as 1, O as 0) and hashed here: it is never sent.
  const check = document.querySelector("[data-receipt-check]");
  if (check) findReceipts(check, storageKey);

  // Ranking by typing numbers, by dragging or with the move buttons.
  const list = document.querySelector(".rank-list");
  if (!list) return;
  const form = list.closest("form");
  const items = () => Array.from(list.querySelectorAll(".rank-item"));
  const number = (item) => item.querySelector(".rank-number");
  const isRanked = (item) => number(item).value.trim() !== "";
  const summary = document.createElement("p");
  summary.className = "meta rank-summary";
  summary.setAttribute("aria-live", "polite");
  const warning = document.createElement("p");
  warning.className = "error-message rank-problem";
  warning.setAttribute("role", "alert");
  warning.hidden = true;
  list.after(summary, warning);

  // What is wrong with the typed ranks, before anything is sent: a number out of range, or
  // one rank given to two options (nothing is renumbered behind the member's back).
  const problem = () => {
    const seen = new Map();
    const most = items().length;
    for (const item of items().filter(isRanked)) {
      const raw = number(item).value.trim();
      const rank = Number(raw);
      if (!/^[0-9]+$/.test(raw) || rank < 1 || rank > most) {
        return { item, text: `The rank of “${item.dataset.label}” must be a whole number from 1 to ${most}.` };
      }
      if (seen.has(rank)) {
        return {
          item,
          text: `Rank ${rank} is given twice (“${seen.get(rank)}” and “${item.dataset.label}”): give each option its own rank.`,
        };
      }
      seen.set(rank, item.dataset.label);
    }
    return null;
  };

  // The summary follows what is typed, keystroke by keystroke, in the order of the numbers.
  const summarize = () => {
    const found = problem();
    for (const item of items()) number(item).removeAttribute("aria-invalid");
    warning.hidden = !found;
    warning.textContent = found ? found.text : "";
    if (found) number(found.item).setAttribute("aria-invalid", "true");
    const chosen = items().filter(isRanked)
      .map((item, place) => ({ item, place, rank: Number(number(item).value) }))
      .sort((a, b) => a.rank - b.rank || a.place - b.place)
      .map(({ item }) => item.dataset.label);
    summary.textContent = chosen.length
      ? `Your ballot: ${chosen.map((label, i) => `${i + 1}. ${label}`).join("  ")}`
      : "Nothing ranked yet.";
    return found;
  };

  // "Rank it" and "Remove" name their option for screen readers, as the move buttons do.
  const nameButtons = () => {
    for (const item of items()) {
      const toggle = item.querySelector(".rank-toggle");
      const text = isRanked(item) ? "Remove" : "Rank it";
      toggle.textContent = text;
      toggle.setAttribute("aria-label", `${text}: ${item.dataset.label}`);
    }
  };

  const renumber = () => {
    let rank = 0;
    for (const item of items()) if (isRanked(item)) number(item).value = String(++rank);
    nameButtons();
    summarize();
  };

  // Put typed numbers in order, so that keyboard, drag and typing agree; never while two
  // options share a rank (the member is told, and decides).
  const sortByNumbers = () => {
    if (problem()) return false;
    const ranked = items().filter(isRanked).sort((a, b) => Number(number(a).value) - Number(number(b).value));
    const rest = items().filter((item) => !isRanked(item));
    for (const item of [...ranked, ...rest]) list.append(item);
    return true;
  };

  const button = (text, className, onClick) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `secondary ${className}`;
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  };

  for (const item of items()) {
    const label = item.dataset.label;
    const up = button("Move up", "rank-up", () => {
      const previous = item.previousElementSibling;
      if (previous) { list.insertBefore(item, previous); if (!isRanked(item)) number(item).value = "1"; }
      renumber(); up.focus();
    });
    const down = button("Move down", "rank-down", () => {
      const next = item.nextElementSibling;
      if (next) list.insertBefore(next, item);
      renumber(); down.focus();
    });
    const toggle = button("Rank it", "rank-toggle", () => {
      if (isRanked(item)) {
        number(item).value = "";
        list.append(item);
      } else {
        const lastRanked = items().filter(isRanked).pop();
        number(item).value = "1";
        if (lastRanked) lastRanked.after(item); else list.prepend(item);
      }
      renumber(); toggle.focus();
    });
    up.setAttribute("aria-label", `Move up: ${label}`);
    down.setAttribute("aria-label", `Move down: ${label}`);
    (item.querySelector(".rank-row") || item).append(up, down, toggle);
    item.draggable = true;
    item.addEventListener("dragstart", (event) => {
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", label);
    });
    item.addEventListener("dragend", () => { item.classList.remove("dragging"); renumber(); });
    item.addEventListener("dragover", (event) => {
      event.preventDefault();
      const dragged = list.querySelector(".dragging");
      if (!dragged || dragged === item) return;
      const box = item.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      item[after ? "after" : "before"](dragged);
      if (!isRanked(dragged)) number(dragged).value = "1";
    });
    number(item).addEventListener("input", () => { nameButtons(); summarize(); });
    number(item).addEventListener("change", () => {
      if (sortByNumbers()) renumber(); else summarize();
    });
  }
  if (form) {
    form.addEventListener("submit", (event) => {
      const found = summarize();
      if (found) {
        event.preventDefault();
        number(found.item).focus();
      } else if (sortByNumbers()) {
        renumber();
      }
    });
  }
  if (sortByNumbers()) renumber(); else { nameButtons(); summarize(); }

  // The receipts page: find a receipt among the published hashes, on this page or in the list.
  function findReceipts(check, storageKey) {
    const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    const normalize = (code) => {
      const typed = code.trim();
      const compact = typed.toUpperCase()
        .replace(/[ \-\t\n\r\u00a0\u2010\u2011\u2012\u2013\u2014\u2212]/g, "")
        .replace(/[IL]/g, "1").replace(/O/g, "0");
      if (compact.length !== 20 || [...compact].some((c) => !ALPHABET.includes(c))) return typed;
      return compact.match(/.{4}/g).join("-");
    };
    const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
    const said = check.querySelector(".receipt-found");
    const input = check.querySelector("#check-code");
    if (!(window.crypto && window.crypto.subtle)) return; // the command shown below still works
    check.hidden = false;

    const markRow = (hash) => {
      for (const row of document.querySelectorAll(".your-receipt")) {
        row.classList.remove("your-receipt");
        row.removeAttribute("aria-current");
        const note = row.querySelector(".your-receipt-note");
        if (note) note.remove();
      }
      for (const code of document.querySelectorAll("table.receipts tbody td:first-child code")) {
        if (code.textContent.trim() !== hash) continue;
        const row = code.closest("tr");
        row.classList.add("your-receipt");
        row.setAttribute("aria-current", "true");
        const note = document.createElement("strong");
        note.className = "your-receipt-note";
        note.textContent = "Your ballot is this row";
        code.parentElement.prepend(note, " ");
        return row;
      }
      return null;
    };

    const find = async (code, kept) => {
      const given = normalize(code);
      if (!given) { said.textContent = "Type or paste a receipt code first."; return; }
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(check.dataset.prefix + given));
      const hash = hex(digest);
      const whose = kept ? "The receipt this browser kept for your ballot" : "This receipt";
      const row = markRow(hash);
      if (row) {
        said.textContent = kept
          ? "Your ballot is this row, marked below: this browser kept its receipt, and it was counted."
          : `${whose} is marked below: its ballot was counted.`;
        row.scrollIntoView({ block: "center" });
        return;
      }
      said.textContent = "Looking through the whole list…";
      try {
        const response = await fetch(check.dataset.listUrl, { credentials: "same-origin" });
        const lines = (await response.text()).split("\n").slice(1).filter(Boolean);
        const index = lines.findIndex((line) => line.startsWith(hash));
        if (index < 0) {
          said.textContent = `${whose} (${given}) is not among the published receipts of this vote. Check the code as it was shown to you.`;
          return;
        }
        const size = Number(check.dataset.pageSize) || lines.length;
        said.textContent = `${whose} is in the published list: row ${index + 1} of ${lines.length}, on page ${Math.floor(index / size) + 1} of this list. Its ballot was counted.`;
      } catch (_error) {
        said.textContent = "The list could not be read; try again, or use the command below.";
      }
    };

    check.querySelector("[data-check-form]").addEventListener("submit", (event) => {
      event.preventDefault();
      find(input.value, false);
    });
    let keptCode = null;
    try {
      if (check.dataset.member) keptCode = localStorage.getItem(storageKey(check.dataset.member, check.dataset.vote));
    } catch (_error) { /* nothing kept */ }
    if (keptCode) find(keptCode, true);
    else said.textContent = "This browser kept no receipt for you in this vote; paste a code to check it.";
  }
})();
