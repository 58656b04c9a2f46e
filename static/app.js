// Small comforts; every page works without this file.
document.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement && target.classList.contains("copy")) {
    target.select();
  }
});

// Receipt codes of secret ballots that votes.js kept in this browser: forgotten when the
// member logs out, and on any page shown to no one logged in (a session that ended without
// logging out), so that the next person on a shared browser finds none.
const RECEIPT_PREFIX = "deliberate-receipt-";
const forgetReceipts = () => {
  try {
    for (let i = localStorage.length - 1; i >= 0; i -= 1) {
      const key = localStorage.key(i);
      if (key && key.startsWith(RECEIPT_PREFIX)) localStorage.removeItem(key);
    }
  } catch (_error) { /* storage unavailable: nothing was kept */ }
};
document.addEventListener("submit", (event) => {
  if (event.target instanceof HTMLFormElement && event.target.hasAttribute("data-forget-receipts")) {
    forgetReceipts();
  }
});
if (document.documentElement.hasAttribute("data-signed-out")) forgetReceipts();

// A box that scrolls sideways (a wide table on a phone) takes the focus, so the arrow keys
// scroll it; one that fits its width needs no tab stop of its own. The page says
// tabindex="0" from the start, so without this file every such box is reachable.
const scrollBoxes = document.querySelectorAll(".table-scroll[role=region]");
if (scrollBoxes.length && "ResizeObserver" in window) {
  const fit = (box) => {
    if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
    else if (box !== document.activeElement) box.removeAttribute("tabindex");
  };
  const watcher = new ResizeObserver((entries) => entries.forEach((entry) => fit(entry.target)));
  scrollBoxes.forEach((box) => watcher.observe(box));
}
