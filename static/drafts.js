// Amendment form comforts: choose paragraphs by clicking them, show only the fields the
// chosen kind uses, and load the chosen paragraphs' text into the box until the member
// starts writing. The form works the same without this file.
(() => {
  const form = document.getElementById("amendment-form");
  if (!form) return;
  const picker = document.querySelector(".paragraph-picker");
  const items = picker ? Array.from(picker.querySelectorAll("li[data-number]")) : [];
  const field = (name) => form.elements.namedItem(name);
  const text = field("new_text");
  const first = field("first");
  const last = field("last");
  const after = field("after");
  const kind = () => {
    const checked = form.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "replace";
  };
  const markdownOf = (from, to) =>
    items
      .filter((li) => Number(li.dataset.number) >= from && Number(li.dataset.number) <= to)
      .map((li) => li.dataset.markdown)
      .join("\n\n");

  const loadable = () => {
    const k = kind();
    const from = Number(first.value), to = Number(last.value);
    if (k === "replace" && from >= 1 && to >= from) return markdownOf(from, to);
    if (k === "substitute") return markdownOf(1, items.length);
    return "";
  };
  // The member's own writing is never overwritten; text loaded from the draft may be.
  let touched = text.value.trim() !== "" && text.value !== loadable();
  text.addEventListener("input", () => { touched = text.value.trim() !== ""; });

  const refresh = () => {
    const k = kind();
    form.querySelector(".for-range").hidden = !(k === "replace" || k === "delete");
    form.querySelector(".for-insert").hidden = k !== "insert_after";
    text.closest(".field").hidden = k === "delete";
    const from = Number(first.value), to = Number(last.value);
    items.forEach((li) => {
      const n = Number(li.dataset.number);
      const chosen = (k === "replace" || k === "delete") ? (n >= from && n <= to)
        : k === "insert_after" ? n === Number(after.value) : k === "substitute";
      li.classList.toggle("chosen", chosen);
    });
    if (!touched) text.value = loadable();
  };

  items.forEach((li) => {
    // A button per paragraph, so the keyboard chooses as the mouse does (Shift extends).
    const choose = document.createElement("button");
    choose.type = "button";
    choose.className = "secondary choose";
    choose.textContent = `Choose ¶${li.dataset.number}`;
    li.querySelector(".meta").after(choose);
    li.addEventListener("click", (event) => {
      const n = Number(li.dataset.number);
      if (kind() === "insert_after") {
        after.value = n;
      } else if (event.shiftKey && first.value) {
        const anchor = Number(first.value);
        first.value = Math.min(anchor, n);
        last.value = Math.max(anchor, n);
      } else {
        first.value = n;
        last.value = n;
      }
      refresh();
    });
  });
  form.addEventListener("change", (event) => {
    if (event.target !== text) refresh();
  });
  refresh();
})();
