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

  // Ranking by dragging or with the move buttons; the rank numbers follow the order.
  const list = document.querySelector(".rank-list");
  if (!list) return;
  const items = () => Array.from(list.querySelectorAll(".rank-item"));
  const number = (item) => item.querySelector(".rank-number");
  const isRanked = (item) => number(item).value.trim() !== "";
  const summary = document.createElement("p");
  summary.className = "meta rank-summary";
  summary.setAttribute("aria-live", "polite");
  list.after(summary);

  const renumber = () => {
    let rank = 0;
    for (const item of items()) {
      if (isRanked(item)) number(item).value = String(++rank);
      item.querySelector(".rank-toggle").textContent = isRanked(item) ? "Remove" : "Rank it";
    }
    const chosen = items().filter(isRanked).map((item) => item.dataset.label);
    summary.textContent = chosen.length
      ? `Your ballot: ${chosen.map((label, i) => `${i + 1}. ${label}`).join("  ")}`
      : "Nothing ranked yet.";
  };

  // Put typed numbers in order first, so that keyboard, drag and typing agree.
  const sortByNumbers = () => {
    const ranked = items().filter(isRanked).sort((a, b) => Number(number(a).value) - Number(number(b).value));
    const rest = items().filter((item) => !isRanked(item));
    for (const item of [...ranked, ...rest]) list.append(item);
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
    item.append(up, down, toggle);
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
    number(item).addEventListener("change", () => { sortByNumbers(); renumber(); });
  }
  sortByNumbers();
  renumber();
})();
