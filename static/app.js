// Small comforts; every page works without this file.
document.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement && target.classList.contains("copy")) {
    target.select();
  }
});
