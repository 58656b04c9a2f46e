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
